/**
 * Blob bytes for a browser on another origin: the blob GET answers 307 to a presigned URL, the browser follows it
 * with `Origin: null`, and the bucket's own CORS rules (applied at start from STRATUS_CORS_ORIGIN) must let the page
 * read the answer: `null` echoed with credentials when origins are listed, `*` without them otherwise.
 */
import { applyBucketCors } from '../../../lambda/adapters/s3/bucket-cors';
import { createS3Client } from '../../../lambda/adapters/s3/s3-client';
import { blobCorsRules } from '../../../lambda/core/http/blob-cors-rules';
import { expectedAnswer } from '../backends/s3-helpers';
import { startTestRegistry, TestRegistry } from '../harness';
import { randomBytes, RegistryClient, uniqueRepo } from './client';

const UI = 'http://ui.example.test:8080';
// Ceph RGW echoes a listed origin without Access-Control-Allow-Credentials (AWS and the local S3 send it).
const CREDENTIALS = expectedAnswer({ aws: 'true', rgw: null });
const EXPOSED = ['etag', 'content-length', 'content-type', 'content-range', 'docker-content-digest', 'accept-ranges'];

let registry: TestRegistry;
let client: RegistryClient;
const repo = uniqueRepo('browser');
const bytes = randomBytes(3000);
let digest: string;

beforeAll(async () => {
  registry = await startTestRegistry({ config: { corsOrigin: UI } });
  client = new RegistryClient(registry.url);
  digest = (await client.pushBlob(repo, bytes)).digest;
});
afterAll(async () => registry?.stop());

const applyToBucket = (setting: string) => applyBucketCors(createS3Client(registry.settings!.s3), registry.settings!.bucket, blobCorsRules(setting));
const list = (res: Response, name: string) => (res.headers.get(name) ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);

/** The blob GET a page on UI sends, and where its 307 points. */
async function presignedUrl(): Promise<string> {
  const res = await client.fetch(`/v2/${repo}/blobs/${digest}`, { headers: { origin: UI }, redirect: 'manual' });
  await res.arrayBuffer();
  expect(res.status).toBe(307);
  expect(res.headers.get('access-control-allow-origin')).toBe(UI);
  expect(res.headers.get('access-control-allow-credentials')).toBe('true');
  return res.headers.get('location')!;
}

describe('the bucket CORS configuration, applied at start', () => {
  it('a bucket without one (a data directory from before) gets it; applying the same setting again changes nothing', async () => {
    expect(await applyToBucket(UI)).toBe('set');
    expect(await applyToBucket(UI)).toBe('unchanged');
  });
});

describe('STRATUS_CORS_ORIGIN lists origins (credentialed): the redirected blob GET', () => {
  beforeAll(async () => void (await applyToBucket(UI)));

  it('GET <presigned URL> with Origin: null -> 200, the bytes, Access-Control-Allow-Origin: null with credentials', async () => {
    const res = await fetch(await presignedUrl(), { headers: { origin: 'null' } });

    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes);
    expect(res.headers.get('access-control-allow-origin')).toBe('null');
    expect(res.headers.get('access-control-allow-credentials')).toBe(CREDENTIALS);
    expect(list(res, 'access-control-expose-headers')).toEqual(expect.arrayContaining(EXPOSED));
  });

  it('a Range GET with Origin: null -> 206 with Content-Range exposed', async () => {
    const res = await fetch(await presignedUrl(), { headers: { origin: 'null', range: 'bytes=0-9' } });

    expect(res.status).toBe(206);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes.subarray(0, 10));
    expect(res.headers.get('access-control-allow-origin')).toBe('null');
  });

  it('the preflight of a redirected request with headers (OPTIONS, Origin: null) -> 200 echoing null, with credentials', async () => {
    const res = await fetch(await presignedUrl(), {
      method: 'OPTIONS',
      headers: { origin: 'null', 'access-control-request-method': 'GET', 'access-control-request-headers': 'accept,range' },
    });
    await res.arrayBuffer();

    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('null');
    expect(res.headers.get('access-control-allow-credentials')).toBe(CREDENTIALS);
    expect(list(res, 'access-control-allow-methods')).toContain('get'); // the rule's methods, or (RGW) the one asked
    expect(list(res, 'access-control-allow-headers')).toEqual(expect.arrayContaining(['accept', 'range']));
  });
});

describe('other settings', () => {
  it('`*`: Origin: null and any other origin -> Access-Control-Allow-Origin: *, never with credentials', async () => {
    await applyToBucket('*');
    for (const origin of ['null', 'http://other.example.test']) {
      const res = await fetch(await presignedUrl(), { headers: { origin } });
      await res.arrayBuffer();
      expect([origin, res.status, res.headers.get('access-control-allow-origin'), res.headers.get('access-control-allow-credentials')])
        .toEqual([origin, 200, '*', null]);
      expect(list(res, 'access-control-expose-headers')).toEqual(expect.arrayContaining(EXPOSED));
    }
  });

  it('empty (CORS off): the configuration is removed, and S3 answers without CORS headers', async () => {
    await applyToBucket('*');
    expect(await applyToBucket('')).toBe('removed');
    const res = await fetch(await presignedUrl(), { headers: { origin: 'null' } });
    await res.arrayBuffer();
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
