/**
 * What a mirror answers when its upstream fails: stale tags served (and logged) while the upstream is down
 * or rate-limits, 503 with Retry-After when nothing is cached, and an upstream whose bytes do not match
 * their digest (a small lying server) stores nothing, while the same upstream honest again fills normally.
 */
import { createHash } from 'node:crypto';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pushSmallImage } from '../../support/fixture-images';
import { startDistributionUpstream, UpstreamRegistry } from '../../support/upstream-registry';
import { manifestRequest, MirrorStratus, pullBlob, startMirrorStratus } from './mirror-stratus';

const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An upstream serving one image whose manifest and blob bytes can be made to differ from their digests. */
async function startLyingUpstream() {
  const layer = Buffer.alloc(200 * 1024, 1);
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux' }));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(layer), size: layer.length }],
  }));
  const state = { lying: true };
  const tampered = (b: Buffer) => { const c = Buffer.from(b); c[c.length - 1] ^= 1; return c; };
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '';
    const send = (bytes: Buffer, headers: Record<string, string>) => {
      res.writeHead(200, { 'content-length': String(bytes.length), ...headers });
      res.end(req.method === 'HEAD' ? undefined : bytes);
    };
    if (path === '/v2/') return send(Buffer.from('{}'), { 'content-type': 'application/json' });
    const manifestHeaders = { 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'docker-content-digest': sha256(manifest) };
    if (path === '/v2/library/app/manifests/v1' || path === `/v2/library/app/manifests/${sha256(manifest)}`) {
      return send(state.lying && req.method === 'GET' ? tampered(manifest) : manifest, manifestHeaders);
    }
    for (const blob of [config, layer]) {
      if (path === `/v2/library/app/blobs/${sha256(blob)}`) {
        return send(state.lying && req.method === 'GET' ? tampered(blob) : blob, { 'content-type': 'application/octet-stream', 'docker-content-digest': sha256(blob) });
      }
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'unknown' }] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    state, manifest, layer,
    stop: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

describe('registry mirror: upstream failures', () => {
  let upstream: UpstreamRegistry;
  let liar: Awaited<ReturnType<typeof startLyingUpstream>>;
  let stratus: MirrorStratus;

  beforeAll(async () => {
    upstream = await startDistributionUpstream();
    liar = await startLyingUpstream();
    stratus = await startMirrorStratus();
    await stratus.addRule('ttl/', upstream.url, { tagTtlSeconds: 1 });
    await stratus.addRule('liar/', liar.url);
  });
  afterAll(async () => {
    await stratus?.stop();
    await upstream?.dispose();
    await liar?.stop();
  });

  it('a lying upstream: manifest and blob answered 503, nothing stored, an upstream fault logged; honest again, it fills', async () => {
    const lied = await manifestRequest(stratus.url, 'liar/library/app', 'v1');

    expect(lied.status).toBe(503);
    expect(lied.json().errors[0].code).toBe('UNAVAILABLE');
    expect(await stratus.deps.meta.getManifest('liar/library/app', sha256(liar.manifest))).toBeNull();
    expect(await stratus.deps.meta.getTag('liar/library/app', 'v1')).toBeNull();
    expect(stratus.logs.some((l) => l.level === 'error' && /upstream fault/.test(l.message))).toBe(true);

    liar.state.lying = false;
    expect((await manifestRequest(stratus.url, 'liar/library/app', 'v1')).status).toBe(200);
    liar.state.lying = true;
    const blob = await pullBlob(stratus.url, 'liar/library/app', sha256(liar.layer));
    expect(blob.status).toBe(503);
    expect(await stratus.deps.meta.getBlob(sha256(liar.layer))).toBeNull();
    expect(await stratus.deps.blobs.list('blobs/', 10)).toEqual([]);

    liar.state.lying = false;
    const honest = await pullBlob(stratus.url, 'liar/library/app', sha256(liar.layer));
    expect(honest.status).toBe(200);
    expect(honest.bytes.equals(liar.layer)).toBe(true);
  });

  it('upstream stopped: a cached image still pulls (stale tag, logged); an uncached one -> 503 with Retry-After', async () => {
    const image = await pushSmallImage(upstream.seedUrl(), 'library/app', 'v1');
    await manifestRequest(stratus.url, 'ttl/library/app', 'v1');
    for (const b of [image.config, ...image.layers]) await pullBlob(stratus.url, 'ttl/library/app', b.digest);
    await upstream.stop();
    try {
      await sleep(1100); // past the tag's TTL: the tag is asked upstream again, which fails

      const stale = await manifestRequest(stratus.url, 'ttl/library/app', 'v1');
      const blobs = await Promise.all([image.config, ...image.layers].map((b) => pullBlob(stratus.url, 'ttl/library/app', b.digest)));
      const uncached = await manifestRequest(stratus.url, 'ttl/library/other', 'v1');

      expect(stale.status).toBe(200);
      expect(stale.bytes.equals(image.manifest.bytes)).toBe(true);
      expect(blobs.map((b) => sha256(b.bytes))).toEqual([image.config, ...image.layers].map((b) => b.digest));
      expect(stratus.logs.some((l) => l.level === 'warn' && /serving stale/.test(l.message) && l.fields.repository === 'ttl/library/app')).toBe(true);
      expect(uncached.status).toBe(503);
      expect(uncached.json().errors[0].code).toBe('UNAVAILABLE');
      expect(Number(uncached.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await upstream.restart();
    }
  });

  it('upstream rate-limiting (429): the cached tag is served; an uncached one -> 503 with the upstream\'s Retry-After', async () => {
    const image = await pushSmallImage(upstream.seedUrl(), 'library/limited', 'v1');
    await manifestRequest(stratus.url, 'ttl/library/limited', 'v1');
    upstream.setFailure({ status: 429, retryAfterSeconds: 42 });
    try {
      await sleep(1100);

      const stale = await manifestRequest(stratus.url, 'ttl/library/limited', 'v1', 'HEAD');
      const uncached = await manifestRequest(stratus.url, 'ttl/library/unseen', 'v1');

      expect(stale.status).toBe(200);
      expect(stale.headers.get('docker-content-digest')).toBe(image.manifest.digest);
      expect(uncached.status).toBe(503);
      expect(uncached.headers.get('retry-after')).toBe('42');
    } finally {
      upstream.setFailure(undefined);
    }
  });
});
