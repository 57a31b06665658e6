/**
 * S3 multipart uploads (ListParts, AbortMultipartUpload, EntityTooSmall, InvalidPart,
 * InvalidPartOrder, NoSuchUpload) and ListObjectsV2 paging, against the suite's S3. Where Ceph RGW
 * answers otherwise than AWS, the test says so and expects RGW's answer on RGW.
 */
import { randomBytes } from 'node:crypto';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand,
  HeadObjectCommand, ListObjectsV2Command, ListPartsCommand, PutObjectCommand, S3Client, UploadPartCommand,
} from '@aws-sdk/client-s3';
import { s3ClientConfig } from '../backend-env';
import { expectedAnswer, getBytes, MiB, onCephRgw, s3Error, s3Fixture, sha256 } from './s3-helpers';

const { s3, Bucket, create } = s3Fixture('stratus-s3-mp-test');
const createUpload = async (Key: string) =>
  (await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }))).UploadId!;
const uploadPart = async (Key: string, UploadId: string, PartNumber: number, Body: Buffer) =>
  ({ PartNumber, ETag: (await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber, Body }))).ETag! });

beforeAll(create);
afterAll(() => s3.destroy());

describe('multipart uploads', () => {
  test('create, upload (a part replaced), list parts, complete: the object is the parts in order', async () => {
    const Key = 'mp/ok';
    const UploadId = await createUpload(Key);
    const part1 = randomBytes(5 * MiB);
    const part2 = randomBytes(100_000);
    const p1 = await uploadPart(Key, UploadId, 1, part1);
    await uploadPart(Key, UploadId, 2, randomBytes(50)); // replaced below
    const p2 = await uploadPart(Key, UploadId, 2, part2);

    const listed = await s3.send(new ListPartsCommand({ Bucket, Key, UploadId }));
    expect(listed.Parts!.map((p) => [p.PartNumber, p.Size, p.ETag])).toEqual([
      [1, part1.length, p1.ETag],
      [2, part2.length, p2.ETag],
    ]);

    await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [p1, p2] } }));
    const { body } = await getBytes(s3, Bucket, Key);
    expect(body.length).toBe(part1.length + part2.length);
    expect(sha256(body)).toBe(sha256(Buffer.concat([part1, part2])));
  });

  test('every part but the last must be at least 5 MiB: EntityTooSmall', async () => {
    const Key = 'mp/small';
    const UploadId = await createUpload(Key);
    const parts = [await uploadPart(Key, UploadId, 1, randomBytes(1024)), await uploadPart(Key, UploadId, 2, randomBytes(1024))];
    expect(await s3Error(s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: parts } }))))
      .toEqual({ name: 'EntityTooSmall', status: 400 });
  });

  test('a part not uploaded, or with another ETag, is InvalidPart; parts out of order are InvalidPartOrder', async () => {
    const Key = 'mp/invalid';
    const UploadId = await createUpload(Key);
    const p1 = await uploadPart(Key, UploadId, 1, randomBytes(5 * MiB));
    const p2 = await uploadPart(Key, UploadId, 2, randomBytes(10));
    const complete = (Parts: Array<{ PartNumber: number; ETag: string }>) =>
      s3Error(s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts } })));
    expect(await complete([p1, { PartNumber: 3, ETag: p2.ETag }])).toEqual({ name: 'InvalidPart', status: 400 });
    expect(await complete([p1, { PartNumber: 2, ETag: p1.ETag }])).toEqual({ name: 'InvalidPart', status: 400 });
    if (onCephRgw()) {
      // RGW sorts the parts by number itself (S3 clients send them in order anyway)
      await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [p2, p1] } }));
    } else {
      expect(await complete([p2, p1])).toEqual({ name: 'InvalidPartOrder', status: 400 });
    }
    // the upload survives failed completions (and on RGW a completion may be repeated)
    await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [p1, p2] } }));
    const { body } = await getBytes(s3, Bucket, Key);
    expect(body.length).toBe(5 * MiB + 10);
  });

  test('completing with some of the uploaded parts: AWS joins those, RGW wants every part (InvalidPart)', async () => {
    const Key = 'mp/subset';
    const UploadId = await createUpload(Key);
    const parts = [await uploadPart(Key, UploadId, 1, randomBytes(1000)), await uploadPart(Key, UploadId, 2, randomBytes(1000))];
    const complete = s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: parts.slice(0, 1) } }));
    if (onCephRgw()) expect(await s3Error(complete)).toEqual({ name: 'InvalidPart', status: 400 });
    else expect((await complete).$metadata.httpStatusCode).toBe(200);
  });

  test('after AbortMultipartUpload the upload is NoSuchUpload', async () => {
    const Key = 'mp/aborted';
    const UploadId = await createUpload(Key);
    const p1 = await uploadPart(Key, UploadId, 1, randomBytes(100));
    await s3.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }));
    const noSuchUpload = { name: 'NoSuchUpload', status: 404 };
    expect(await s3Error(s3.send(new ListPartsCommand({ Bucket, Key, UploadId }))))
      .toEqual(expectedAnswer({ aws: noSuchUpload, rgw: { name: 'NoSuchKey', status: 404 } }));
    expect(await s3Error(uploadPart(Key, UploadId, 2, randomBytes(10)))).toEqual(noSuchUpload);
    // RGW: 500 "This multipart completion is already in progress" (S3BlobStore asks ListParts then)
    expect(await s3Error(s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [p1] } }))))
      .toEqual(expectedAnswer({ aws: noSuchUpload, rgw: { name: 'InternalError', status: 500 } }));
    expect((await s3Error(s3.send(new HeadObjectCommand({ Bucket, Key })))).status).toBe(404);
  });

  test('CompleteMultipartUpload with ETag quotes as character references (&#34;, as Go writes them) succeeds', async () => {
    const Key = 'mp/escaped-etags';
    const UploadId = await createUpload(Key);
    const part1 = randomBytes(5 * MiB);
    const part2 = randomBytes(1000);
    const parts = [await uploadPart(Key, UploadId, 1, part1), await uploadPart(Key, UploadId, 2, part2)];
    // Rewrite the body before signing, as distribution's Go XML encoder sends it.
    let sent = '';
    const goStyle = new S3Client(s3ClientConfig());
    goStyle.middlewareStack.add((next) => async (args) => {
      const req = (args as { request: { body: string; headers: Record<string, string> } }).request;
      req.body = req.body.replace(/<ETag>(?:"|&quot;)([^<"&]*)(?:"|&quot;)<\/ETag>/g, '<ETag>&#34;$1&#34;</ETag>');
      req.headers['content-length'] = String(Buffer.byteLength(req.body));
      sent = req.body;
      return next(args);
    }, { step: 'build', name: 'goStyleEtagQuotes' });

    await goStyle.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: parts } }));
    goStyle.destroy();

    expect(sent.match(/&#34;/g)).toHaveLength(4);
    const { body } = await getBytes(s3, Bucket, Key);
    expect(sha256(body)).toBe(sha256(Buffer.concat([part1, part2])));
  });

  test('an upload id that never existed is NoSuchUpload (ListParts on RGW: NoSuchKey)', async () => {
    const UploadId = 'f'.repeat(32);
    expect(await s3Error(s3.send(new ListPartsCommand({ Bucket, Key: 'mp/none', UploadId }))))
      .toEqual(expectedAnswer({ aws: { name: 'NoSuchUpload', status: 404 }, rgw: { name: 'NoSuchKey', status: 404 } }));
    expect(await s3Error(uploadPart('mp/none', UploadId, 1, randomBytes(10)))).toEqual({ name: 'NoSuchUpload', status: 404 });
  });
});

describe('ListObjectsV2', () => {
  // "a/b" sorts after "a-1" and "a.z" ('-' and '.' < '/'); a directory walk yields it first
  const keys = ['list/a', 'list/a-1', 'list/a.z', 'list/a/b', 'list/a/c', 'list/b', 'list/c/d/e', 'list/z'];
  beforeAll(async () => {
    for (const Key of keys) await s3.send(new PutObjectCommand({ Bucket, Key, Body: Key }));
  });

  test('pages with continuation tokens return every key once, in order', async () => {
    const seen: string[] = [];
    let ContinuationToken: string | undefined;
    let pages = 0;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'list/', MaxKeys: 3, ContinuationToken }));
      seen.push(...(page.Contents ?? []).map((o) => o.Key!));
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      expect(page.IsTruncated ? ContinuationToken : 'done').toBeTruthy();
      pages++;
    } while (ContinuationToken);
    expect(seen).toEqual([...keys].sort());
    expect(pages).toBe(3);
  });

  test('with a delimiter, common prefixes count towards MaxKeys and are not repeated', async () => {
    const entries: string[] = [];
    let ContinuationToken: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket, Prefix: 'list/', Delimiter: '/', MaxKeys: 2, ContinuationToken }),
      );
      expect((page.Contents?.length ?? 0) + (page.CommonPrefixes?.length ?? 0)).toBeLessThanOrEqual(2);
      entries.push(...(page.Contents ?? []).map((o) => o.Key!), ...(page.CommonPrefixes ?? []).map((p) => p.Prefix!));
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
    expect(entries.sort()).toEqual(['list/a', 'list/a-1', 'list/a.z', 'list/a/', 'list/b', 'list/c/', 'list/z']);
  });
});
