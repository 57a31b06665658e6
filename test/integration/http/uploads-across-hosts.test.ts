import { startTestRegistry, TestRegistry } from '../harness';
import { randomBytes, RegistryClient, sha256, uniqueRepo } from './client';

// Three registry hosts on one bucket and table: what several Lambda invocations or service tasks are.
describe('an upload continued on other hosts of the same deployment', () => {
  const hosts: TestRegistry[] = [];
  let a: RegistryClient, b: RegistryClient, c: RegistryClient;

  beforeAll(async () => {
    hosts.push(await startTestRegistry());
    hosts.push(await startTestRegistry({ shareStorageWith: hosts[0] }));
    hosts.push(await startTestRegistry({ shareStorageWith: hosts[0] }));
    [a, b, c] = hosts.map((h) => new RegistryClient(h.url)) as [RegistryClient, RegistryClient, RegistryClient];
  });
  afterAll(async () => {
    await Promise.all(hosts.map((h) => h.stop()));
  });

  const onHost = (client: RegistryClient, uploadUrl: string) => client.resolve(new URL(uploadUrl).pathname);

  it('PATCH on host A, PATCH on host B, PUT on host C -> 201 and the bytes pulled back are the bytes pushed', async () => {
    // Prepare: 6 MiB + 3 MiB chunks, so the first is a part and the second a leftover merged at completion
    const repo = uniqueRepo('across');
    const data = randomBytes(9 * 1024 * 1024);
    const upload = await a.startUpload(repo);
    // Act
    const first = await a.patchChunk(upload, data.subarray(0, 6 * 1024 * 1024), 0);
    const second = await b.patchChunk(onHost(b, upload), data.subarray(6 * 1024 * 1024), 6 * 1024 * 1024);
    const done = await c.fetch(c.withDigest(onHost(c, upload), sha256(data)), { method: 'PUT' });
    // Assess
    expect([first.status, second.status, done.status]).toEqual([202, 202, 201]);
    expect(second.headers.get('range')).toBe(`0-${data.length - 1}`);
    expect(done.headers.get('docker-content-digest')).toBe(sha256(data));
    expect((await a.pullBlobBytes(repo, sha256(data))).equals(data)).toBe(true);
  });

  it('a streamed PATCH on host A completed on host B with the wrong digest -> 400 DIGEST_INVALID, nothing stored', async () => {
    const repo = uniqueRepo('across-bad');
    const data = randomBytes(2 * 1024 * 1024);
    const upload = await a.startUpload(repo);
    const stream = new ReadableStream({ start(ctl) { ctl.enqueue(data); ctl.close(); } });
    const patch = await a.fetch(upload, { method: 'PATCH', body: stream, duplex: 'half' } as RequestInit);
    expect(patch.status).toBe(202);
    const done = await b.fetch(b.withDigest(onHost(b, upload), sha256('something else')), { method: 'PUT' });
    expect(done.status).toBe(400);
    expect(((await done.json()) as { errors: { code: string }[] }).errors[0]!.code).toBe('DIGEST_INVALID');
    expect((await a.fetch(`/v2/${repo}/blobs/${sha256(data)}`, { method: 'HEAD' })).status).toBe(404);
  });
});
