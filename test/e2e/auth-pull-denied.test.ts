/**
 * What `docker pull` prints for a private image without a login, with auth on: Docker's usual "pull access
 * denied ... may require 'docker login'". The token endpoint gives docker (no Origin header) the anonymous
 * token, and the registry answers that token 401 error="insufficient_scope", which docker reads as DENIED.
 * (A 401 from the token endpoint, which browsers need for their login prompt, makes docker print
 * `Head ".../manifests/1": unauthorized` instead; see test/integration/http/token-browser.test.ts.)
 */
import { join } from 'node:path';
import { Dockerd, startDockerd } from './dockerd';
import { removeTree, runId, settle, tempDir } from './exec';
import { makeRootfs, tarDir } from './images';
import { RegistryProcess, startRegistry } from './registry-process';

const ADMIN = { user: 'admin', password: 'admin-Secret-1' };

describe('docker pull of a private image without docker login', () => {
  let registry: RegistryProcess;
  let engine: Dockerd;
  let work: string;
  const id = runId();
  const image = () => `${registry.host}/private-${id}/app:1`;

  beforeAll(async () => {
    work = tempDir('pull-denied');
    await settle(
      startRegistry({ env: { STRATUS_AUTH: 'on', STRATUS_ADMIN_USER: ADMIN.user, STRATUS_ADMIN_PASSWORD: ADMIN.password } }).then((r) => (registry = r)),
      startDockerd().then((d) => (engine = d)),
    );
    const tar = await tarDir(makeRootfs(join(work, 'rootfs'), { 'id.txt': id }), join(work, 'rootfs.tar'));
    await engine.docker(['import', tar, image()]);
    await engine.docker(['login', '-u', ADMIN.user, '-p', ADMIN.password, registry.host]);
    await engine.docker(['push', image()]);
    await engine.docker(['logout', registry.host]);
    await engine.docker(['rmi', image()]);
  });

  afterAll(async () => {
    await engine?.stop();
    await registry?.stop();
    if (work) removeTree(work);
  });

  test('prints "pull access denied ... may require \'docker login\'"', async () => {
    const pull = await engine.docker(['pull', image()], { allowFail: true });

    expect(pull.code).not.toBe(0);
    expect(pull.output).toContain(`pull access denied for ${registry.host}/private-${id}/app, repository does not exist or may require 'docker login'`);
  });

  test('after docker login the same pull works', async () => {
    await engine.docker(['login', '-u', ADMIN.user, '-p', ADMIN.password, registry.host]);
    const pull = await engine.docker(['pull', image()]);

    expect(pull.output).toContain('Downloaded newer image');
  });
});
