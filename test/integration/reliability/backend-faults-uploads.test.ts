/**
 * S3 or DynamoDB broken (refused, cut, stalled) in the middle of a push: the client gets 503 with
 * Retry-After, no blob becomes visible with wrong bytes, and once the backend is back the same request
 * (or a resumed upload: GET status, then PATCH from its Range) succeeds.
 */
import { randomBytes, sha256, uniqueRepo } from '../http/client';
import {
  expectBlobTrueIfVisible, expectUnavailable, faultyRegistryForEachTest, nextOffset, uploadRange,
} from './fault-setup';
import { onCephRgw } from '../backends/s3-helpers';

const MiB = 1024 * 1024;
const r = faultyRegistryForEachTest();

function put(url: string, digest: string, body?: Buffer): Promise<Response> {
  return r.client.fetch(r.client.withDigest(url, digest), {
    method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body,
  });
}

function postMonolithic(repo: string, bytes: Buffer): Promise<Response> {
  return r.client.fetch(`/v2/${repo}/blobs/uploads/?digest=${sha256(bytes)}`, {
    method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: bytes,
  });
}

/** Asserts the registry serves exactly `bytes` for their digest (compared by digest: a diff of megabytes helps nobody). */
async function expectBytes(repo: string, bytes: Buffer): Promise<void> {
  const pulled = await r.client.pullBlobBytes(repo, sha256(bytes));
  expect({ digest: sha256(pulled), size: pulled.length }).toEqual({ digest: sha256(bytes), size: bytes.length });
}

/** Completes an upload from where the registry says it is, with the rest of `bytes`; expects 201 and true bytes. */
async function resumeAndComplete(repo: string, url: string, bytes: Buffer, emptySession = false): Promise<void> {
  const offset = nextOffset(await uploadRange(r.client, url), emptySession);
  const patched = await r.client.patchChunk(url, bytes.subarray(offset), offset);
  await patched.arrayBuffer();
  expect(patched.status).toBe(202);
  expect(patched.headers.get('range')).toBe(`0-${bytes.length - 1}`);
  const done = await put(url, sha256(bytes));
  await done.arrayBuffer();
  expect(done.status).toBe(201);
  await expectBytes(repo, bytes);
}

// Ceph RGW (16.2) refuses CompleteMultipartUpload when the upload holds a part the list leaves out
// (InvalidPart), which AWS, MinIO and the local server discard; a write cut or beaten mid-way leaves such a
// part under its own reserved number. README, Limits.
const unlessOnRgw = onCephRgw() ? it.skip : it;

describe('monolithic push (POST ?digest=) with a backend fault', () => {
  it('POST /v2/:name/blobs/uploads/?digest= -> 503 when S3 is cut mid-body; the blob stays invisible; the retry -> 201', async () => {
    const repo = uniqueRepo('fault-mono');
    const bytes = randomBytes(20 * MiB);
    r.s3.downAfterBytesUp(10 * MiB);
    await expectUnavailable(await postMonolithic(repo, bytes));
    r.s3.heal();
    expect(await expectBlobTrueIfVisible(r.client, repo, sha256(bytes))).toBe(false);
    const retry = await postMonolithic(repo, bytes);
    await retry.arrayBuffer();
    expect(retry.status).toBe(201);
    await expectBytes(repo, bytes);
  });

  it('POST /v2/:name/blobs/uploads/?digest= -> 503 when DynamoDB goes down as the bytes are assembled; the retry -> 201', async () => {
    const repo = uniqueRepo('fault-mono');
    const bytes = randomBytes(12 * MiB);
    r.when('s3', 'CompleteMultipartUploadCommand', () => r.dynamodb.down());
    await expectUnavailable(await postMonolithic(repo, bytes));
    r.dynamodb.heal();
    expect(await expectBlobTrueIfVisible(r.client, repo, sha256(bytes))).toBe(false);
    const retry = await postMonolithic(repo, bytes);
    await retry.arrayBuffer();
    expect(retry.status).toBe(201);
    expect(await expectBlobTrueIfVisible(r.client, repo, sha256(bytes))).toBe(true);
  });
});

describe('chunked upload with a backend fault between and during PATCHes', () => {
  it('PATCH -> 503 while S3 is down; GET status keeps the Range stored before; PATCH again and PUT -> 201', async () => {
    const repo = uniqueRepo('fault-chunk');
    const bytes = randomBytes(14 * MiB);
    const url = await r.client.startUpload(repo);
    expect((await r.client.patchChunk(url, bytes.subarray(0, 6 * MiB), 0)).status).toBe(202);
    r.s3.down();
    await expectUnavailable(await r.client.patchChunk(url, bytes.subarray(6 * MiB), 6 * MiB));
    r.s3.heal();
    expect(await uploadRange(r.client, url)).toBe(`0-${6 * MiB - 1}`);
    await resumeAndComplete(repo, url, bytes);
  });

  unlessOnRgw('PATCH -> 503 when S3 is cut after one part of the chunk; the upload resumes from its stored Range', async () => {
    const repo = uniqueRepo('fault-chunk');
    const bytes = randomBytes(30 * MiB);
    const url = await r.client.startUpload(repo);
    expect((await r.client.patchChunk(url, bytes.subarray(0, 6 * MiB), 0)).status).toBe(202);
    r.s3.downAfterBytesUp(12 * MiB); // the tail and part 1 reach S3, part 2 is cut
    await expectUnavailable(await r.client.patchChunk(url, bytes.subarray(6 * MiB), 6 * MiB));
    r.s3.heal();
    expect(await uploadRange(r.client, url)).toBe(`0-${6 * MiB - 1}`);
    await resumeAndComplete(repo, url, bytes);
  });

  unlessOnRgw('PATCH -> 503 when DynamoDB goes down before the chunk is recorded; the Range is unchanged and the upload resumes', async () => {
    const repo = uniqueRepo('fault-chunk');
    const bytes = randomBytes(20 * MiB);
    const url = await r.client.startUpload(repo);
    expect((await r.client.patchChunk(url, bytes.subarray(0, 9 * MiB), 0)).status).toBe(202);
    // the chunk's first UpdateItem reserves its part numbers, the second records it
    r.when('dynamodb', 'UpdateItemCommand', () => r.dynamodb.down(), 1);
    await expectUnavailable(await r.client.patchChunk(url, bytes.subarray(9 * MiB, 18 * MiB), 9 * MiB));
    r.dynamodb.heal();
    expect(await uploadRange(r.client, url)).toBe(`0-${9 * MiB - 1}`);
    await resumeAndComplete(repo, url, bytes);
  });

  it('PATCH whose record is written but whose answer is lost -> 503; GET status tells what is stored and the upload resumes', async () => {
    const repo = uniqueRepo('fault-chunk');
    const bytes = randomBytes(20 * MiB);
    const url = await r.client.startUpload(repo);
    expect((await r.client.patchChunk(url, bytes.subarray(0, 9 * MiB), 0)).status).toBe(202);
    r.when('dynamodb', 'UpdateItemCommand', () => r.dynamodb.downOnNextResponse(), 1);
    const res = await r.client.patchChunk(url, bytes.subarray(9 * MiB, 18 * MiB), 9 * MiB);
    await expectUnavailable(res);
    r.dynamodb.heal();
    expect(await uploadRange(r.client, url)).toBe(`0-${18 * MiB - 1}`);
    await resumeAndComplete(repo, url, bytes);
  });

  it('PATCH -> 503 within the idle timeout while S3 stalls; the upload resumes once it answers again', async () => {
    const repo = uniqueRepo('fault-chunk');
    const bytes = randomBytes(10 * MiB);
    const url = await r.client.startUpload(repo);
    r.s3.stall();
    await expectUnavailable(await r.client.patchChunk(url, bytes, 0));
    r.s3.heal();
    await resumeAndComplete(repo, url, bytes, true);
  });
});

describe('final PUT with a backend fault', () => {
  // One 12 MiB chunk stored, then the final PUT meets a fault at a given step; `visible` is whether the blob
  // may already show in the repository before the retry (its bytes are checked against the digest if so).
  type Fault = [string, () => void, () => void, boolean | undefined];
  const singleChunkFaults: Fault[] = [
    ['S3 is down before CompleteMultipartUpload',
      () => r.when('s3', 'CompleteMultipartUploadCommand', () => r.s3.down()), () => r.s3.heal(), false],
    ['CompleteMultipartUpload is done by S3 but its answer is lost',
      () => r.when('s3', 'CompleteMultipartUploadCommand', () => r.s3.downOnNextResponse()), () => r.s3.heal(), undefined],
    // after CompleteMultipartUpload, one transaction records the blob, links it and deletes the session
    ['DynamoDB goes down before the transaction that records and links the blob',
      () => r.when('s3', 'CompleteMultipartUploadCommand', () => r.when('dynamodb', 'TransactWriteItemsCommand', () => r.dynamodb.down())), () => r.dynamodb.heal(), false],
  ];
  it.each(singleChunkFaults)('PUT -> 503 when %s; the same PUT retried -> 201 and the bytes are right', async (_name, arm, heal, visible) => {
    const repo = uniqueRepo('fault-put');
    const bytes = randomBytes(12 * MiB);
    const url = await r.client.startUpload(repo);
    expect((await r.client.patchChunk(url, bytes, 0)).status).toBe(202);
    arm();
    await expectUnavailable(await put(url, sha256(bytes)));
    heal();
    const shown = await expectBlobTrueIfVisible(r.client, repo, sha256(bytes));
    if (visible !== undefined) expect(shown).toBe(visible);
    const retry = await put(url, sha256(bytes));
    expect({ status: retry.status, body: await retry.text() }).toEqual({ status: 201, body: '' });
    await expectBytes(repo, bytes);
  });

  it.each([
    ['an empty PUT', 0],
    ['a PUT carrying the last chunk', 3 * MiB],
  ])('%s -> 503 when DynamoDB goes down after CompleteMultipartUpload; the same PUT retried -> 201', async (_name, last) => {
    const repo = uniqueRepo('fault-put');
    const bytes = randomBytes(12 * MiB + last);
    const url = await r.client.startUpload(repo);
    expect((await r.client.patchChunk(url, bytes.subarray(0, 12 * MiB), 0)).status).toBe(202);
    const lastChunk = last > 0 ? bytes.subarray(12 * MiB) : undefined;
    r.when('s3', 'CompleteMultipartUploadCommand', () => r.dynamodb.down());
    await expectUnavailable(await put(url, sha256(bytes), lastChunk));
    r.dynamodb.heal();
    expect(await expectBlobTrueIfVisible(r.client, repo, sha256(bytes))).toBe(false);
    const retry = await put(url, sha256(bytes), lastChunk);
    expect({ status: retry.status, body: await retry.text() }).toEqual({ status: 201, body: '' });
    await expectBytes(repo, bytes);
  });
});
