/**
 * Proxy delivery when S3 fails in the middle of a blob: the client must see a broken transfer, never a short
 * body that looks complete, and the registry goes on serving once S3 is back.
 */
import { request } from 'node:http';
import { randomBytes, sha256, uniqueRepo, RegistryClient } from '../http/client';
import { startTestRegistry, TestRegistry } from '../harness';
import { backendEnv } from '../backend-env';
import { TcpProxy } from './tcp-proxy';

/** GETs `url`, reading the body; resolves with the bytes and whether the response ended normally. */
function readBody(url: string, onFirstBytes: () => void): Promise<{ status: number; bytes: number; complete: boolean }> {
  return new Promise((resolve) => {
    let bytes = 0;
    let first = true;
    request(url, (res) => {
      res.on('data', (c: Buffer) => {
        bytes += c.length;
        if (first) (first = false), onFirstBytes();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, complete: res.complete }));
      res.on('error', () => resolve({ status: res.statusCode ?? 0, bytes, complete: false }));
      res.on('aborted', () => resolve({ status: res.statusCode ?? 0, bytes, complete: false }));
    }).on('error', () => resolve({ status: 0, bytes, complete: false })).end();
  });
}

describe('proxy delivery: S3 cut in the middle of a streamed blob', () => {
  let proxy: TcpProxy;
  let registry: TestRegistry;
  let client: RegistryClient;
  beforeAll(async () => {
    proxy = await TcpProxy.start(backendEnv().s3.endpoint);
    registry = await startTestRegistry({ config: { blobDelivery: 'proxy' }, backends: { s3Endpoint: proxy.url } });
    client = new RegistryClient(registry.url);
  });
  afterAll(async () => {
    await registry?.stop();
    await proxy?.stop();
  });

  it('GET /v2/:name/blobs/:digest -> the transfer breaks off (no complete short body); after S3 is back the same GET gives every byte', async () => {
    const repo = uniqueRepo('streamed-cut');
    const bytes = randomBytes(48 * 1024 * 1024);
    const { digest } = await client.pushBlob(repo, bytes);

    const cut = await readBody(`${registry.url}/v2/${repo}/blobs/${digest}`, () => proxy.down());
    proxy.heal();
    const again = await client.fetch(`/v2/${repo}/blobs/${digest}`);
    const body = Buffer.from(await again.arrayBuffer());

    expect(cut.status).toBe(200);
    expect(cut.complete).toBe(false);
    expect(cut.bytes).toBeLessThan(bytes.length);
    expect(again.status).toBe(200);
    expect(sha256(body)).toBe(digest);
  });
});
