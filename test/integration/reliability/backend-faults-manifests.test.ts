/**
 * S3 or DynamoDB broken during a manifest PUT and during pulls (manifest GET/HEAD, blob GET/HEAD): the
 * client gets 503 with Retry-After, no tag points at a manifest whose blobs are missing, and the same
 * request succeeds once the backend is back.
 */
import { MT, randomBytes, uniqueRepo, uniqueTag } from '../http/client';
import { expectTagsComplete, expectUnavailable, faultyRegistryForEachTest } from './fault-setup';

const r = faultyRegistryForEachTest();

/** Pushes a config and a layer, and returns an OCI manifest (not pushed) referencing them. */
async function blobsAndManifest(repo: string, extra: Record<string, unknown> = {}): Promise<Buffer> {
  const config = await r.client.pushBlob(repo, Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', n: uniqueTag() })), MT.ociConfig);
  const layer = await r.client.pushBlob(repo, randomBytes(2048));
  return Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MT.ociManifest, config, layers: [layer], ...extra }));
}

describe('manifest PUT with a backend fault', () => {
  it('PUT /v2/:name/manifests/:tag -> 503 while DynamoDB is down; no tag appears; the retry -> 201', async () => {
    const repo = uniqueRepo('fault-man');
    const manifest = await blobsAndManifest(repo);
    r.dynamodb.down();
    await expectUnavailable(await r.client.putManifest(repo, 'v1', manifest, MT.ociManifest));
    r.dynamodb.heal();
    expect(await expectTagsComplete(r.client, repo)).toEqual([]);
    const retry = await r.client.putManifest(repo, 'v1', manifest, MT.ociManifest);
    await retry.arrayBuffer();
    expect(retry.status).toBe(201);
    expect(await expectTagsComplete(r.client, repo)).toEqual(['v1']);
  });

  it('PUT /v2/:name/manifests/:tag -> 503 when DynamoDB goes down at the transaction; every tag that exists is complete; the retry -> 201', async () => {
    const repo = uniqueRepo('fault-man');
    const manifest = await blobsAndManifest(repo);
    r.when('dynamodb', 'TransactWriteItemsCommand', () => r.dynamodb.down());
    await expectUnavailable(await r.client.putManifest(repo, 'v1', manifest, MT.ociManifest));
    r.dynamodb.heal();
    await expectTagsComplete(r.client, repo);
    const retry = await r.client.putManifest(repo, 'v1', manifest, MT.ociManifest);
    await retry.arrayBuffer();
    expect(retry.status).toBe(201);
    expect(await expectTagsComplete(r.client, repo)).toEqual(['v1']);
  });

  it('PUT /v2/:name/manifests/:tag whose transaction is done but whose answer is lost -> 503; the tag is complete; the retry -> 201', async () => {
    const repo = uniqueRepo('fault-man');
    const manifest = await blobsAndManifest(repo);
    r.when('dynamodb', 'TransactWriteItemsCommand', () => r.dynamodb.downOnNextResponse());
    await expectUnavailable(await r.client.putManifest(repo, 'v1', manifest, MT.ociManifest));
    r.dynamodb.heal();
    expect(await expectTagsComplete(r.client, repo)).toEqual(['v1']);
    const retry = await r.client.putManifest(repo, 'v1', manifest, MT.ociManifest);
    await retry.arrayBuffer();
    expect(retry.status).toBe(201);
  });

  it('PUT of a manifest too large to keep inline -> 503 while S3 is down; the retry -> 201 and GET returns its bytes', async () => {
    const repo = uniqueRepo('fault-man');
    const manifest = await blobsAndManifest(repo, { annotations: { padding: 'x'.repeat(70 * 1024) } });
    r.s3.down();
    await expectUnavailable(await r.client.putManifest(repo, 'big', manifest, MT.ociManifest));
    r.s3.heal();
    expect(await expectTagsComplete(r.client, repo)).toEqual([]);
    const retry = await r.client.putManifest(repo, 'big', manifest, MT.ociManifest);
    await retry.arrayBuffer();
    expect(retry.status).toBe(201);
    const got = await r.client.getManifest(repo, 'big');
    expect(Buffer.from(await got.arrayBuffer()).equals(manifest)).toBe(true);
  });

  it('PUT /v2/:name/manifests/:tag -> 503 within the idle timeout while DynamoDB stalls; the retry -> 201', async () => {
    const repo = uniqueRepo('fault-man');
    const manifest = await blobsAndManifest(repo);
    r.dynamodb.stall();
    await expectUnavailable(await r.client.putManifest(repo, 'v1', manifest, MT.ociManifest));
    r.dynamodb.heal();
    const retry = await r.client.putManifest(repo, 'v1', manifest, MT.ociManifest);
    await retry.arrayBuffer();
    expect(retry.status).toBe(201);
    expect(await expectTagsComplete(r.client, repo)).toEqual(['v1']);
  });
});

describe('pull with a backend fault', () => {
  it.each([
    ['down', () => r.dynamodb.down()],
    ['stalled', () => r.dynamodb.stall()],
  ])('manifest GET/HEAD by tag and digest, blob GET/HEAD -> 503 while DynamoDB is %s; 200/307 once it is back', async (_how, breakIt) => {
    const repo = uniqueRepo('fault-pull');
    const pushed = await r.client.pushImage(repo, 'v1');
    const layer = (pushed.doc as { layers: Array<{ digest: string }> }).layers[0]!.digest;
    const requests = (): Array<() => Promise<Response>> => [
      () => r.client.getManifest(repo, 'v1'),
      () => r.client.getManifest(repo, 'v1', 'HEAD'),
      () => r.client.getManifest(repo, pushed.digest),
      () => r.client.fetch(`/v2/${repo}/blobs/${layer}`),
      () => r.client.fetch(`/v2/${repo}/blobs/${layer}`, { method: 'HEAD' }),
      () => r.client.fetch(`/v2/${repo}/tags/list`),
    ];
    breakIt();
    const broken = await Promise.all(requests().map((send) => send()));
    for (const [i, res] of broken.entries()) await expectUnavailable(res, i === 1 || i === 4);
    r.dynamodb.heal();
    const healed = await Promise.all(requests().map(async (send) => {
      const res = await send();
      await res.arrayBuffer();
      return res.status;
    }));
    expect(healed).toEqual([200, 200, 200, 307, 200, 200]);
    expect(await expectTagsComplete(r.client, repo)).toEqual(['v1']);
  });

  it('GET of a manifest stored in S3 -> 503 while S3 is down; 200 with its bytes once it is back', async () => {
    const repo = uniqueRepo('fault-pull');
    const manifest = await blobsAndManifest(repo, { annotations: { padding: 'x'.repeat(70 * 1024) } });
    const put = await r.client.putManifest(repo, 'big', manifest, MT.ociManifest);
    await put.arrayBuffer();
    expect(put.status).toBe(201);
    r.s3.down();
    await expectUnavailable(await r.client.getManifest(repo, 'big'));
    r.s3.heal();
    const got = await r.client.getManifest(repo, 'big');
    expect(Buffer.from(await got.arrayBuffer()).equals(manifest)).toBe(true);
  });

  it('blob GET and HEAD need no S3 request: they answer while S3 is down (the bytes come from the presigned URL)', async () => {
    const repo = uniqueRepo('fault-pull');
    const blob = await r.client.pushBlob(repo, randomBytes(4096));
    r.s3.down();
    const head = await r.client.fetch(`/v2/${repo}/blobs/${blob.digest}`, { method: 'HEAD' });
    const get = await r.client.fetch(`/v2/${repo}/blobs/${blob.digest}`);
    expect([head.status, get.status]).toEqual([200, 307]);
  });
});
