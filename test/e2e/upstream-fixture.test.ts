/**
 * The mirror tests' upstream fixture itself: distribution behind a recording proxy counts each request,
 * keeps its port and data across restart(), refuses connections when stopped, and holds what was pushed.
 */
import { startDistributionUpstream, UpstreamRegistry } from '../support/upstream-registry';
import { pushIndex, pushReferrer, pushSmallImage, OCI_MANIFEST } from '../support/fixture-images';

let upstream: UpstreamRegistry;
beforeAll(async () => (upstream = await startDistributionUpstream()));
afterAll(async () => upstream?.dispose());

test('pushed image, index and referrer come back byte for byte, and each request is recorded once', async () => {
  const image = await pushSmallImage(upstream.url, 'library/busybox', 'latest');
  const index = await pushIndex(upstream.url, 'team/multi', 'v1');
  const referrer = await pushReferrer(upstream.url, 'library/busybox', image.manifest);
  upstream.clearRequests();

  const head = await fetch(`${upstream.url}/v2/library/busybox/manifests/latest`, { method: 'HEAD', headers: { accept: OCI_MANIFEST } });
  expect(head.status).toBe(200);
  expect(head.headers.get('docker-content-digest')).toBe(image.manifest.digest);
  const layer = await fetch(`${upstream.url}/v2/library/busybox/blobs/${image.layers[1].digest}`);
  expect(Buffer.from(await layer.arrayBuffer()).equals(image.layers[1].bytes)).toBe(true);
  const idx = await fetch(`${upstream.url}/v2/team/multi/manifests/v1`, { headers: { accept: index.index.mediaType } });
  expect(Buffer.from(await idx.arrayBuffer()).equals(index.index.bytes)).toBe(true);
  const fallback = await fetch(`${upstream.url}/v2/library/busybox/manifests/${referrer.fallbackTag}`, { headers: { accept: 'application/vnd.oci.image.index.v1+json' } });
  expect(JSON.parse(await fallback.text()).manifests[0].digest).toBe(referrer.manifest.digest);

  expect(upstream.requests()).toEqual([
    { method: 'HEAD', path: '/v2/library/busybox/manifests/latest', status: 200 },
    { method: 'GET', path: `/v2/library/busybox/blobs/${image.layers[1].digest}`, status: 200 },
    { method: 'GET', path: '/v2/team/multi/manifests/v1', status: 200 },
    { method: 'GET', path: `/v2/library/busybox/manifests/${referrer.fallbackTag}`, status: 200 },
  ]);
});

test('stop() refuses connections; restart() serves the same data on the same port; setFailure() answers for it', async () => {
  const image = await pushSmallImage(upstream.url, 'team/app', '1');
  await upstream.stop();
  await expect(fetch(`${upstream.url}/v2/`)).rejects.toThrow();
  await upstream.restart();
  const res = await fetch(`${upstream.url}/v2/team/app/manifests/1`, { headers: { accept: OCI_MANIFEST } });
  expect(res.status).toBe(200);
  expect(Buffer.from(await res.arrayBuffer()).equals(image.manifest.bytes)).toBe(true);

  upstream.setFailure({ status: 429, retryAfterSeconds: 7 });
  const limited = await fetch(`${upstream.url}/v2/team/app/manifests/1`);
  expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '7']);
  upstream.setFailure(undefined);
  expect((await fetch(`${upstream.url}/v2/`)).status).toBe(200);
});

test.each(['basic', 'bearer'] as const)('auth %s: 401 with the challenge without credentials, 200 with them', async (scheme) => {
  const secured = await startDistributionUpstream({ auth: { scheme, username: 'mirror', password: 's3cret:x' } });
  try {
    const image = await pushSmallImage(secured.seedUrl(), 'library/busybox', 'latest');
    const manifestUrl = `${secured.url}/v2/library/busybox/manifests/latest`;
    const anonymous = await fetch(manifestUrl, { method: 'HEAD', headers: { accept: OCI_MANIFEST } });
    expect(anonymous.status).toBe(401);
    const basic = `Basic ${Buffer.from('mirror:s3cret:x').toString('base64')}`;
    let authorization = basic;
    if (scheme === 'bearer') {
      const challenge = anonymous.headers.get('www-authenticate') ?? '';
      expect(challenge).toMatch(/^Bearer realm="http:\/\/127\.0\.0\.1:\d+\/token",service="[^"]+",scope="repository:library\/busybox:pull"$/);
      const realm = /realm="([^"]+)"/.exec(challenge)![1];
      expect((await fetch(realm)).status).toBe(401); // this upstream hands tokens only to its user
      const issued = (await (await fetch(`${realm}?scope=repository:library/busybox:pull`, { headers: { authorization: basic } })).json()) as { token: string };
      expect((await fetch(manifestUrl, { headers: { authorization: basic, accept: OCI_MANIFEST } })).status).toBe(401);
      authorization = `Bearer ${issued.token}`;
    }
    const ok = await fetch(manifestUrl, { headers: { authorization, accept: OCI_MANIFEST } });
    expect(ok.status).toBe(200);
    expect(Buffer.from(await ok.arrayBuffer()).equals(image.manifest.bytes)).toBe(true);
  } finally {
    await secured.dispose();
  }
});
