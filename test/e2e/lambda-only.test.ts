/**
 * The Lambda-only deployment (no upload service), run locally by `npm run start:lambda` with
 * STRATUS_UPLOAD_SERVICE=off: every request goes through API Gateway's and Lambda's payload limits.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyFileFromImage, Dockerd, startDockerd } from './dockerd';
import { removeTree, runId, settle, tempDir } from './exec';
import { makeRootfs, tarDir } from './images';
import { RegistryProcess, startRegistry } from './registry-process';

const MiB = 1024 * 1024;
const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const errorOf = async (res: Response) => ((await res.json()) as { errors: { code: string; message: string }[] }).errors[0]!;

describe('Lambda-only deployment (local cloud topology without the upload service)', () => {
  let registry: RegistryProcess;
  let engine: Dockerd;
  let work: string;
  let base: string;
  const repo = `e2e-${runId()}/lambda-only`;

  beforeAll(async () => {
    work = tempDir('lambda-only');
    await settle(
      startRegistry({ script: 'local/start-lambda.ts', dataDir: join(work, 'data'), env: { STRATUS_UPLOAD_SERVICE: 'off' } })
        .then((r) => (registry = r)),
      startDockerd().then((d) => (engine = d)),
    );
    base = `http://${registry.host}`;
  });
  afterAll(async () => {
    await engine?.stop();
    await registry?.stop();
    if (work) removeTree(work);
  });

  const startUpload = async () => {
    const res = await fetch(`${base}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
    expect(res.status).toBe(202);
    return { url: new URL(res.headers.get('location')!, base).toString(), chunkMin: Number(res.headers.get('oci-chunk-min-length')) };
  };
  const patch = (url: string, chunk: Uint8Array, start: number) => fetch(url, {
    method: 'PATCH', body: chunk,
    headers: { 'content-type': 'application/octet-stream', 'content-range': `${start}-${start + chunk.length - 1}` },
  });

  test('a chunked upload in 4 MiB chunks goes through the Lambda and pulls back byte for byte', async () => {
    // Prepare: 4 MiB chunks are what fits one invocation once base64-encoded (5 MiB would not)
    const data = randomBytes(13 * MiB);
    const { url, chunkMin } = await startUpload();
    expect(new URL(url).host).toBe(registry.host); // no upload service: sessions stay on the API
    expect(chunkMin).toBeLessThanOrEqual(4 * MiB);
    // Act
    let location = url;
    for (let offset = 0; offset < 12 * MiB; offset += 4 * MiB) {
      const res = await patch(location, data.subarray(offset, offset + 4 * MiB), offset);
      expect(res.status).toBe(202);
      location = new URL(res.headers.get('location')!, base).toString();
    }
    const put = await fetch(`${location}?digest=${sha256(data)}`, { method: 'PUT', body: data.subarray(12 * MiB) });
    // Assess
    expect(put.status).toBe(201);
    const pulled = await fetch(`${base}/v2/${repo}/blobs/${sha256(data)}`); // follows the 307 to S3
    expect(sha256(Buffer.from(await pulled.arrayBuffer()))).toBe(sha256(data));
  });

  test('a 5 MiB chunk is refused with 413 SIZE_INVALID naming the limit, and the upload is unchanged', async () => {
    const { url } = await startUpload();
    const first = await patch(url, randomBytes(MiB), 0);
    expect(first.status).toBe(202);
    const next = new URL(first.headers.get('location')!, base).toString();
    const res = await patch(next, randomBytes(5 * MiB), MiB);
    expect(res.status).toBe(413);
    const error = await errorOf(res);
    expect(error.code).toBe('SIZE_INVALID');
    expect(error.message).toMatch(/6 MiB invocation limit/);
    const status = await fetch(next);
    expect(status.headers.get('range')).toBe(`0-${MiB - 1}`);
  });

  test('a monolithic 8 MB blob is refused with the clear error, not a timeout or a 502', async () => {
    const blob = randomBytes(8 * 1000 * 1000);
    const res = await fetch(`${base}/v2/${repo}/blobs/uploads/?digest=${sha256(blob)}`, {
      method: 'POST', body: blob, headers: { 'content-type': 'application/octet-stream' },
    });
    expect(res.status).toBe(413);
    expect((await errorOf(res)).message).toMatch(/upload service|smaller chunks/);
  });

  test('docker push and pull of a small image work without the upload service', async () => {
    const image = `${registry.host}/${repo}:small`;
    const tar = await tarDir(makeRootfs(join(work, 'rootfs'), { 'hello.txt': `lambda ${repo}\n` }), join(work, 'rootfs.tar'));
    await engine.docker(['import', tar, image]);
    expect((await engine.docker(['push', image])).output).toMatch(/: Pushed$/m);
    await engine.docker(['rmi', image]);
    await engine.docker(['pull', image]);
    const copy = await copyFileFromImage(engine, image, '/hello.txt', work);
    expect(readFileSync(copy, 'utf8')).toBe(`lambda ${repo}\n`);
  });

  test('the running endpoints are published for `npx stratus`, which then uses them', async () => {
    const published = JSON.parse(readFileSync(join(work, 'data', 'endpoints.json'), 'utf8')) as { registry: string; dynamodbEndpoint: string };
    expect(published.registry).toBe(base);
    const ping = await fetch(published.dynamodbEndpoint, { method: 'POST' });
    expect(ping.status).toBeLessThan(500); // DynamoDB Local answers (400 for an empty request)
  });
});
