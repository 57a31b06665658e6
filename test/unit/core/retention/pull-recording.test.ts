/** GET of a manifest records its pull time for retention: after the answer, at most once an hour per manifest. */
import { createRegistry } from '../../../../lambda/core/registry';
import type { RegistryDeps } from '../../../../lambda/core/config';
import type { Logger } from '../../../../lambda/shared/logger';
import { registryOnFakes, sender, sha256 } from '../../fakes/registry-under-test';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const HOUR = 3_600_000;

/** A registry on fakes with a clock the test moves and background tasks it runs when it chooses. */
async function setUp() {
  const reg = registryOnFakes();
  let clock = Date.UTC(2026, 0, 1);
  const tasks: Array<() => Promise<void>> = [];
  const warnings: string[] = [];
  const logger: Logger = { ...reg.deps.logger, warn: (m, f) => void warnings.push(`${m} ${JSON.stringify(f)}`) };
  const deps: RegistryDeps = { ...reg.deps, logger, now: () => clock, background: (task) => void tasks.push(task) };
  const send = sender(createRegistry(deps));
  const config = Buffer.from('{}');
  expect((await send('POST', `/v2/team/app/blobs/uploads/?digest=${sha256(config)}`, { body: config })).status).toBe(201);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: OCI_MANIFEST, layers: [],
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
  }));
  expect((await send('PUT', '/v2/team/app/manifests/v1', { headers: { 'content-type': OCI_MANIFEST }, body: manifest })).status).toBe(201);
  const runTasks = async () => { for (const t of tasks.splice(0)) await t(); };
  const lastPulledAt = async () => (await reg.meta.getManifest('team/app', sha256(manifest)))?.lastPulledAt;
  return { ...reg, deps, send, digest: sha256(manifest), tasks, runTasks, lastPulledAt, warnings, tick: (ms: number) => (clock += ms), now: () => clock };
}

describe('pull recording (GET /v2/<name>/manifests/<reference>)', () => {
  it('GET by tag answers first; the pull time is written by the background task it leaves', async () => {
    // Prepare
    const s = await setUp();
    // Act
    const got = await s.send('GET', '/v2/team/app/manifests/v1');
    // Assess: answered, nothing written yet; the task writes the time
    expect(got.status).toBe(200);
    expect(s.tasks).toHaveLength(1);
    expect(await s.lastPulledAt()).toBeUndefined();
    await s.runTasks();
    expect(await s.lastPulledAt()).toBe(s.now());
  });

  it('a second GET within the hour (by tag or digest) writes nothing; one after the hour writes again', async () => {
    const s = await setUp();
    await s.send('GET', '/v2/team/app/manifests/v1');
    await s.runTasks();
    const first = s.now();
    s.tick(HOUR);
    await s.send('GET', `/v2/team/app/manifests/${s.digest}`);
    expect(s.tasks).toHaveLength(0);
    s.tick(1);
    await s.send('GET', `/v2/team/app/manifests/${s.digest}`);
    await s.runTasks();
    expect(await s.lastPulledAt()).toBe(first + HOUR + 1);
  });

  it('HEAD is not a pull: docker HEADs tags to check for updates', async () => {
    const s = await setUp();
    expect((await s.send('HEAD', '/v2/team/app/manifests/v1')).status).toBe(200);
    expect(s.tasks).toHaveLength(0);
  });

  it('another process (its own map) within the hour: its conditional write leaves the first time', async () => {
    // Prepare: a pull recorded by this registry
    const s = await setUp();
    await s.send('GET', '/v2/team/app/manifests/v1');
    await s.runTasks();
    const first = s.now();
    // Act: a second registry on the same stores, 10 minutes later
    const tasks: Array<() => Promise<void>> = [];
    const other = sender(createRegistry({ ...s.deps, now: () => first + 600_000, background: (t) => void tasks.push(t) }));
    await other('GET', '/v2/team/app/manifests/v1');
    for (const t of tasks) await t();
    // Assess
    expect(tasks).toHaveLength(1);
    expect(await s.lastPulledAt()).toBe(first);
  });

  it('a failed write is a warning, not an error of the pull; the next pull tries again', async () => {
    const s = await setUp();
    const recordPull = s.meta.recordPull.bind(s.meta);
    s.meta.recordPull = async () => { throw new Error('DynamoDB unavailable'); };
    expect((await s.send('GET', '/v2/team/app/manifests/v1')).status).toBe(200);
    await s.runTasks();
    expect(s.warnings).toEqual([expect.stringContaining('could not record a pull time')]);
    s.meta.recordPull = recordPull;
    await s.send('GET', '/v2/team/app/manifests/v1');
    await s.runTasks();
    expect(await s.lastPulledAt()).toBe(s.now());
  });
});
