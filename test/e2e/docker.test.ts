/** Docker engine against the registry: push, pull, layer reuse and cross-repository mounts. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyFileFromImage, Dockerd, inspectImage, startDockerd } from './dockerd';
import { removeTree, runId, settle, tempDir } from './exec';
import { makeRootfs, tarDir } from './images';
import { RegistryProcess, startRegistry } from './registry-process';

const DIGEST_LINE = /^1: digest: (sha256:[a-f0-9]{64}) size: \d+$/m;

describe('docker', () => {
  let registry: RegistryProcess;
  let engine: Dockerd;
  let work: string;
  const id = runId();
  const content = `hello from ${id}\n`; // unique per run: the first push really uploads
  let repo: string;
  let image: string;
  let pushedDigest: string;
  let localId: string;

  beforeAll(async () => {
    await settle(startRegistry().then((r) => (registry = r)), startDockerd().then((d) => (engine = d)));
    work = tempDir('docker');
    repo = `e2e-${id}/docker`;
    image = `${registry.host}/${repo}:1`;
    const tar = await tarDir(makeRootfs(join(work, 'rootfs'), { 'hello.txt': content }), join(work, 'rootfs.tar'));
    await engine.docker(['import', '-c', 'CMD ["/bin/sh"]', tar, image]);
    localId = (await inspectImage(engine, image)).id;
  });

  afterAll(async () => {
    await engine?.stop();
    await registry?.stop();
    if (work) removeTree(work);
  });

  test('docker push of a new image uploads its layer and prints the manifest digest', async () => {
    const push = await engine.docker(['push', image]);
    expect(push.output).toContain(`The push refers to repository [${registry.host}/${repo}]`);
    expect(push.output).toMatch(/: Pushed$/m);
    expect(push.output).toMatch(DIGEST_LINE);
    pushedDigest = DIGEST_LINE.exec(push.output)![1];
  });

  test('docker push then pull returns the same image digest, image ID and file content', async () => {
    await engine.docker(['rmi', image]);
    expect((await engine.docker(['image', 'inspect', image], { allowFail: true })).code).not.toBe(0);

    const pull = await engine.docker(['pull', image]);
    expect(pull.output).toContain(`Digest: ${pushedDigest}`);
    expect(pull.output).toContain(`Downloaded newer image for ${image}`);

    const pulled = await inspectImage(engine, image);
    expect(pulled.id).toBe(localId);
    expect(pulled.repoDigests).toContain(`${registry.host}/${repo}@${pushedDigest}`);
    const file = await copyFileFromImage(engine, image, '/hello.txt', work);
    expect(readFileSync(file, 'utf8')).toBe(content);
  });

  test('pulling by digest gives the same image', async () => {
    const byDigest = `${registry.host}/${repo}@${pushedDigest}`;
    await engine.docker(['rmi', image]);
    const pull = await engine.docker(['pull', byDigest]);
    expect(pull.output).toContain(`Digest: ${pushedDigest}`);
    expect((await inspectImage(engine, byDigest)).id).toBe(localId);
    await engine.docker(['tag', byDigest, image]);
  });

  test('re-pushing an unchanged image reports "Layer already exists" and the same digest', async () => {
    const push = await engine.docker(['push', image]);
    expect(push.output).toMatch(/: Layer already exists$/m);
    expect(push.output).not.toMatch(/: Pushed$/m);
    expect(DIGEST_LINE.exec(push.output)?.[1]).toBe(pushedDigest);
  });

  test('pushing the same image to a second repository mounts the layer ("Mounted from")', async () => {
    const second = `${registry.host}/e2e-${id}/copy:1`;
    await engine.docker(['tag', image, second]);
    const push = await engine.docker(['push', second]);
    expect(push.output).toMatch(new RegExp(`: Mounted from ${repo}$`, 'm'));
    expect(DIGEST_LINE.exec(push.output)?.[1]).toBe(pushedDigest);

    // The mounted copy is complete on its own: it pulls after both local tags are gone.
    await engine.docker(['rmi', image, second]);
    const pull = await engine.docker(['pull', second]);
    expect(pull.output).toContain(`Digest: ${pushedDigest}`);
    expect((await inspectImage(engine, second)).id).toBe(localId);
  });

  test('pulling a tag that was never pushed fails with "manifest unknown"', async () => {
    const pull = await engine.docker(['pull', `${registry.host}/${repo}:missing`], { allowFail: true });
    expect(pull.code).not.toBe(0);
    expect(pull.output).toMatch(/manifest unknown|not found/i);
  });

  test('pulling from a repository that does not exist fails and names the image', async () => {
    const ref = `${registry.host}/e2e-${id}/nothing-here:1`;
    const pull = await engine.docker(['pull', ref], { allowFail: true });
    expect(pull.code).not.toBe(0);
    expect(pull.output).toContain(`e2e-${id}/nothing-here`);
    expect(pull.output).toMatch(/not found|unknown/i);
  });
});
