/**
 * Immutable tags with the real docker CLI: a rule set with `npx stratus immutability set` on a running
 * registry; pushing a changed image to an existing tag fails and docker prints the rule; the tag still pulls
 * the first image; the changed image goes out under a new tag.
 */
import { join, resolve } from 'node:path';
import { Dockerd, inspectImage, startDockerd } from './dockerd';
import { removeTree, run, runId, settle, tempDir } from './exec';
import { makeRootfs, tarDir } from './images';
import { RegistryProcess, startRegistry } from './registry-process';

const ROOT = resolve(__dirname, '../..');
const DIGEST_LINE = /^\S+: digest: (sha256:[a-f0-9]{64}) size: \d+$/m;

describe('docker push to an immutable tag', () => {
  const id = runId();
  const work = tempDir('immutable');
  const dataDir = join(work, 'data');
  let registry: RegistryProcess;
  let engine: Dockerd;
  let repo: string;

  beforeAll(async () => {
    await settle(startRegistry({ dataDir }).then((r) => (registry = r)), startDockerd().then((d) => (engine = d)));
    repo = `e2e-${id}/app`;
  });

  afterAll(async () => {
    await engine?.stop();
    await registry?.stop();
    removeTree(work);
  });

  /** An image whose one file holds `content`, tagged `ref` in the engine. */
  async function image(ref: string, content: string, name: string): Promise<void> {
    const tar = await tarDir(makeRootfs(join(work, name), { 'version.txt': content }), join(work, `${name}.tar`));
    await engine.docker(['import', '-c', 'CMD ["/bin/sh"]', tar, ref]);
  }

  const stratus = (args: string[]) => run(join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, 'bin/stratus-cli.ts'), ...args], {
    cwd: ROOT, env: { STRATUS_DATA_DIR: dataDir },
  });

  test('a changed image pushed to an immutable tag fails naming the rule; the tag keeps the first image', async () => {
    // Prepare: the rule, before the registry reads rules for the first time
    const set = await stratus(['immutability', 'set', `e2e-${id}/*`, 'IMMUTABLE']);
    expect(set.stdout).toContain(`immutability rule e2e-${id}/*: IMMUTABLE set in`);
    const tagged = `${registry.host}/${repo}:v1`;
    await image(tagged, `one ${id}\n`, 'one');
    const first = await engine.docker(['push', tagged]);
    const firstDigest = DIGEST_LINE.exec(first.output)![1];
    const firstId = (await inspectImage(engine, tagged)).id;
    await image(tagged, `two ${id}\n`, 'two');
    const changedId = (await inspectImage(engine, tagged)).id;
    expect(changedId).not.toBe(firstId);

    // Act
    const refused = await engine.docker(['push', tagged], { allowFail: true });

    // Assess: docker fails and shows the registry's message; the tag still pulls the first image
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain(`tag v1 in ${repo} is immutable (rule e2e-${id}/*: IMMUTABLE); push a new tag instead`);
    await engine.docker(['rmi', tagged]);
    const pull = await engine.docker(['pull', tagged]);
    expect(pull.output).toContain(`Digest: ${firstDigest}`);
    expect((await inspectImage(engine, tagged)).id).toBe(firstId);
  });

  test('the changed image pushes under a new tag, and the unchanged one re-pushes to v1', async () => {
    const v2 = `${registry.host}/${repo}:v2`;
    await image(v2, `two ${id}\n`, 'two-again');
    const push = await engine.docker(['push', v2]);
    expect(push.output).toMatch(DIGEST_LINE);
    const again = await engine.docker(['push', `${registry.host}/${repo}:v1`]);
    expect(again.output).toMatch(/: Layer already exists$/m);
  });
});
