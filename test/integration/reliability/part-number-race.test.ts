import { startTestRegistry, TestRegistry } from '../harness';
import { randomBytes, RegistryClient, sha256, uniqueRepo } from '../http/client';
import { onCephRgw } from '../backends/s3-helpers';

const MiB = 2 ** 20;

// Two processes of one deployment (two Lambda invocations, two Fargate tasks) share upload sessions. A client
// that retries a PATCH against the other host while the first still runs makes both write the same offset of
// the same multipart upload: each must upload its parts under numbers the other never uses, or the loser's
// parts replace the winner's and the completion fails (or stores bytes the digest was not computed from).
// Ceph RGW (16.2) refuses CompleteMultipartUpload when the upload holds a part the list leaves out
// (InvalidPart), which AWS, MinIO and the local server discard; a write cut or beaten mid-way leaves such a
// part under its own reserved number. README, Limits.
const unlessOnRgw = onCephRgw() ? it.skip : it;

describe('one session PATCHed at the same offset on two registry processes at once', () => {
  let first: TestRegistry;
  let second: TestRegistry;
  let a: RegistryClient;
  let b: RegistryClient;

  beforeAll(async () => {
    first = await startTestRegistry();
    second = await startTestRegistry({ shareStorageWith: first });
    a = new RegistryClient(first.url);
    b = new RegistryClient(second.url);
  });
  afterAll(async () => {
    await first?.stop();
    await second?.stop();
  });

  unlessOnRgw.each([1, 2, 3])('round %i: one PATCH wins (202), the other is refused (416); the completion stores exactly the winner\'s bytes', async () => {
    // Prepare: a session whose multipart upload holds a first part (6 MiB)
    const repo = uniqueRepo('part-race');
    const head = randomBytes(6 * MiB);
    const upload = await a.startUpload(repo);
    expect((await a.patchChunk(upload, head, 0)).status).toBe(202);
    const mine = randomBytes(6 * MiB);
    const theirs = randomBytes(6 * MiB);

    // Act: the same offset, different bytes, one request to each process at once
    const [toFirst, toSecond] = await Promise.all([
      a.patchChunk(upload, mine, head.length),
      b.patchChunk(upload.replace(first.url, second.url), theirs, head.length),
    ]);
    await Promise.all([toFirst.arrayBuffer(), toSecond.arrayBuffer()]);

    // Assess: exactly one won; completing with its digest stores its bytes, pulled back whole
    expect([toFirst.status, toSecond.status].sort()).toEqual([202, 416]);
    const winner = toFirst.status === 202 ? mine : theirs;
    const whole = Buffer.concat([head, winner]);
    const done = await a.fetch(a.withDigest(upload, sha256(whole)), { method: 'PUT' });
    await done.arrayBuffer();
    expect(done.status).toBe(201);
    expect(done.headers.get('docker-content-digest')).toBe(sha256(whole));
    expect((await b.pullBlobBytes(repo, sha256(whole))).equals(whole)).toBe(true);
  });
  it('two empty PUTs completing one session on both processes at once (its tail the last part): the blob is stored whole', async () => {
    // Prepare: 10 MiB in one PATCH: a part of 8 MiB and a 2 MiB tail that the completion uploads as the last part
    const repo = uniqueRepo('tail-race');
    const bytes = randomBytes(10 * MiB);
    const upload = await a.startUpload(repo);
    expect((await a.patchChunk(upload, bytes, 0)).status).toBe(202);

    // Act
    const digest = sha256(bytes);
    const answers = await Promise.all([
      a.fetch(a.withDigest(upload, digest), { method: 'PUT' }),
      b.fetch(b.withDigest(upload.replace(first.url, second.url), digest), { method: 'PUT' }),
    ]);
    const statuses = await Promise.all(answers.map(async (r) => { await r.arrayBuffer(); return r.status; }));

    // Assess: one completes (201), the other too or finds the session finished (404); never a failed completion
    expect(statuses).toContain(201);
    for (const status of statuses) expect([201, 404]).toContain(status);
    expect((await b.pullBlobBytes(repo, digest)).equals(bytes)).toBe(true);
  });
});
