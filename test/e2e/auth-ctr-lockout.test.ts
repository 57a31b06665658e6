/**
 * containerd's ctr with a wrong password, as a user retrying a pull would send it: it tries the token
 * endpoint's POST and GET forms with the same password each time. The account must not lock for that:
 * the right password afterwards pulls.
 */
import { join } from 'node:path';
import { Containerd, startContainerd } from './containerd';
import { removeTree, run, runId, settle, tempDir } from './exec';
import { makeOciLayout, makeRootfs } from './images';
import { RegistryProcess, startRegistry } from './registry-process';

const ADMIN = { user: 'admin', password: 'admin-Secret-1' };

describe('ctr with a wrong password', () => {
  let registry: RegistryProcess;
  let containerd: Containerd;
  let work: string;
  let remote: string;

  beforeAll(async () => {
    await settle(
      startRegistry({ env: { STRATUS_AUTH: 'on', STRATUS_ADMIN_USER: ADMIN.user, STRATUS_ADMIN_PASSWORD: ADMIN.password } })
        .then((r) => (registry = r)),
      startContainerd().then((c) => (containerd = c)),
    );
    work = tempDir('ctr-lockout');
    remote = `${registry.host}/e2e-${runId()}/lockout:v1`;
    await makeOciLayout(join(work, 'layout'), 'v1', makeRootfs(join(work, 'rootfs'), { 'id.txt': remote }));
    await run('tar', ['-C', join(work, 'layout'), '-cf', join(work, 'image.tar'), '.']);
    await containerd.ctr(['images', 'import', '--base-name', 'localhost/e2e/lockout', join(work, 'image.tar')]);
    await containerd.ctr(['images', 'tag', 'localhost/e2e/lockout:v1', remote]);
    await containerd.ctr(['images', 'push', '--plain-http', '-u', `${ADMIN.user}:${ADMIN.password}`, remote]);
    await containerd.ctr(['images', 'rm', '--sync', 'localhost/e2e/lockout:v1', remote]);
  });

  afterAll(async () => {
    await containerd?.stop();
    await registry?.stop();
    if (work) removeTree(work);
  });

  test('four pulls with the same wrong password are refused, then the right one pulls (no lockout)', async () => {
    for (let i = 0; i < 4; i++) {
      const refused = await containerd.ctr(['images', 'pull', '--plain-http', '-u', `${ADMIN.user}:an-old-password`, remote], { allowFail: true });
      expect(refused.code).not.toBe(0);
      expect(refused.output).not.toMatch(/429|too many/i);
    }
    const pulled = await containerd.ctr(['images', 'pull', '--plain-http', '-u', `${ADMIN.user}:${ADMIN.password}`, remote], { allowFail: true });
    expect(pulled.output).toMatch(/^done/m);
  });
});
