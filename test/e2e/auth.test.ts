/**
 * `docker login` and friends against Stratus with auth on (STRATUS_AUTH=on), users managed with the
 * `npx stratus` CLI: what users see when they are, and are not, allowed.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Containerd, startContainerd } from './containerd';
import { Dockerd, startDockerd } from './dockerd';
import { removeTree, run, RunOptions, runId, settle, tempDir, waitFor } from './exec';
import { makeOciLayout, makeRootfs, tarDir } from './images';
import { RegistryProcess, startRegistry } from './registry-process';

const ROOT = resolve(__dirname, '../..');
const ADMIN = { user: 'admin', password: 'admin-Secret-1' };
const ALICE = { user: 'alice', password: 'alice-Secret-2' };
const REFUSED = /unauthorized: authentication required|denied: requested access to the resource is denied/;

describe('authentication with real clients', () => {
  let registry: RegistryProcess;
  let engine: Dockerd;
  let containerd: Containerd;
  let work: string;
  const id = runId();
  const dataDir = () => join(work, 'data');
  const cli = (args: string[], opts: RunOptions = {}) =>
    run(join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, 'bin/stratus-cli.ts'), ...args],
      { ...opts, cwd: ROOT, env: { STRATUS_DATA_DIR: dataDir(), ...opts.env } });
  const login = (who: { user: string; password: string }, opts: RunOptions = {}) =>
    engine.docker(['login', '-u', who.user, '-p', who.password, registry.host], opts);
  const image = (repo: string) => `${registry.host}/${repo}:1`;

  beforeAll(async () => {
    work = tempDir('auth');
    await settle(
      startRegistry({
        dataDir: dataDir(),
        env: { STRATUS_AUTH: 'on', STRATUS_ADMIN_USER: ADMIN.user, STRATUS_ADMIN_PASSWORD: ADMIN.password },
      }).then((r) => (registry = r)),
      startDockerd().then((d) => (engine = d)),
      startContainerd().then((c) => (containerd = c)),
    );
    await cli(['user', 'add', ALICE.user], { env: { STRATUS_PASSWORD: ALICE.password } });
    await cli(['grant', ALICE.user, `team-${id}/*`, 'pull,push']);
    const tar = await tarDir(makeRootfs(join(work, 'rootfs'), { 'id.txt': id }), join(work, 'rootfs.tar'));
    for (const repo of [`team-${id}/app`, `other-${id}/app`, `public-${id}/app`]) await engine.docker(['import', tar, image(repo)]);
  });

  afterAll(async () => {
    await engine?.stop();
    await containerd?.stop();
    await registry?.stop();
    if (work) removeTree(work);
  });

  test('docker push without logging in is refused with "authentication required"', async () => {
    const push = await engine.docker(['push', image(`team-${id}/app`)], { allowFail: true });
    expect(push.code).not.toBe(0);
    expect(push.output).toMatch(REFUSED);
  });

  test('docker login with a wrong password is refused', async () => {
    const res = await login({ user: ALICE.user, password: 'wrong-password' }, { allowFail: true });
    expect(res.code).not.toBe(0);
    expect(res.output).toMatch(/unauthorized/i);
  });

  test('docker login, then push and pull where the user has rights', async () => {
    expect((await login(ALICE)).output).toContain('Login Succeeded');
    expect((await engine.docker(['push', image(`team-${id}/app`)])).output).toMatch(/: Pushed$/m);
    await engine.docker(['rmi', image(`team-${id}/app`)]);
    expect((await engine.docker(['pull', image(`team-${id}/app`)])).output).toContain('Downloaded newer image');
  });

  test('a push outside the user\'s grants is denied', async () => {
    await login(ALICE);
    const push = await engine.docker(['push', image(`other-${id}/app`)], { allowFail: true });
    expect(push.code).not.toBe(0);
    expect(push.output).toMatch(REFUSED);
  });

  test('after docker logout, a pull is refused unless anonymous pull is granted', async () => {
    await login(ADMIN);
    await engine.docker(['push', image(`public-${id}/app`)]);
    await engine.docker(['logout', registry.host]);
    await engine.docker(['rmi', image(`team-${id}/app`), image(`public-${id}/app`)]);
    const denied = await engine.docker(['pull', image(`team-${id}/app`)], { allowFail: true });
    expect(denied.code).not.toBe(0);
    expect(denied.output).toMatch(/unauthorized|denied|may require 'docker login'/);

    await cli(['anonymous', 'set', `public-${id}/*`]);
    // Registries cache anonymous grants for up to 10 s.
    const pulled = await waitFor(async () => (await engine.docker(['pull', image(`public-${id}/app`)], { allowFail: true })).code === 0, 15_000, 1000);
    expect(pulled).toBe(true);
  });

  test('a user pushing where it may only pull (anonymous pull) is denied, not sent to log in again', async () => {
    await login(ALICE);
    const push = await engine.docker(['push', image(`public-${id}/app`)], { allowFail: true });
    expect(push.code).not.toBe(0);
    expect(push.output).toContain('denied: requested access to the resource is denied');
    await engine.docker(['logout', registry.host]);
  });

  test('a robot token works as the password, with only its own grants', async () => {
    const created = await cli(['robot', 'create', 'ci', '--grant', `team-${id}/*:pull`]);
    const password = /password:\s*(\S+)/i.exec(created.output)?.[1];
    expect(password).toBeDefined();
    expect((await login({ user: 'ci', password: password! })).output).toContain('Login Succeeded');
    await engine.docker(['rmi', image(`team-${id}/app`)], { allowFail: true });
    expect((await engine.docker(['pull', image(`team-${id}/app`)])).code).toBe(0);
    const push = await engine.docker(['push', image(`team-${id}/app`)], { allowFail: true });
    expect(push.output).toContain('denied: requested access to the resource is denied');
    await engine.docker(['logout', registry.host]);
  });

  test('skopeo and podman log in and copy; ctr pulls with -u user:password', async () => {
    const authFile = join(work, 'containers-auth.json');
    writeFileSync(authFile, '{}');
    writeFileSync(join(work, 'containers.conf'), '');
    const env = { REGISTRY_AUTH_FILE: authFile };
    const layout = join(work, 'layout');
    await makeOciLayout(layout, 'v1', makeRootfs(join(work, 'rootfs2'), { 'skopeo.txt': id }));
    await run('skopeo', ['login', '--tls-verify=false', '-u', ALICE.user, '-p', ALICE.password, registry.host], { env });
    await run('skopeo', ['copy', '--dest-tls-verify=false', `oci:${layout}:v1`, `docker://${registry.host}/team-${id}/skopeo:v1`], { env });
    const tags = await run('skopeo', ['list-tags', '--tls-verify=false', `docker://${registry.host}/team-${id}/skopeo`], { env });
    expect(JSON.parse(tags.stdout).Tags).toEqual(['v1']);

    const podman = await run('podman', ['login', '--tls-verify=false', '-u', ALICE.user, '-p', ALICE.password, registry.host],
      { env: { ...env, CONTAINERS_CONF: join(work, 'containers.conf') }, allowFail: true });
    expect(podman.output).toContain('Login Succeeded');

    const ref = `${registry.host}/team-${id}/skopeo:v1`;
    const denied = await containerd.ctr(['images', 'pull', '--plain-http', ref], { allowFail: true });
    expect(denied.code).not.toBe(0);
    const pulled = await containerd.ctr(['images', 'pull', '--plain-http', '-u', `${ALICE.user}:${ALICE.password}`, ref]);
    expect(pulled.output).toMatch(/^done/m);
  });
});
