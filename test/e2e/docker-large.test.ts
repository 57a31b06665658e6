/** A 300 MB incompressible layer through the Docker engine: byte-exact round trip, timings, registry memory. */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { copyFileFromImage, Dockerd, inspectImage, startDockerd } from './dockerd';
import { removeTree, runId, sha256File, settle, tempDir } from './exec';
import { makeRootfs, tarDir, writeRandomFile } from './images';
import { peakRssMB, RegistryProcess, startRegistry, TOPOLOGIES } from './registry-process';

const SIZE = 300 * 1024 * 1024;
const DIGEST_LINE = /: digest: (sha256:[a-f0-9]{64}) size: \d+$/m;

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = process.hrtime.bigint();
  const result = await fn();
  return [result, Number(process.hrtime.bigint() - start) / 1e9];
}

describe.each(TOPOLOGIES)('docker with a 300 MB layer on %s', (topology, options) => {
  let registry: RegistryProcess;
  let engine: Dockerd;
  let work: string;
  let image: string;
  let fileSha: string;
  let pushedDigest: string;
  let localId: string;
  let pushSeconds = NaN;
  let pullSeconds = NaN;

  beforeAll(async () => {
    await settle(startRegistry(options).then((r) => (registry = r)), startDockerd().then((d) => (engine = d)));
    work = tempDir('large');
    image = `${registry.host}/e2e-${runId()}/large:1`;
    const rootfs = makeRootfs(join(work, 'rootfs'));
    // The run id seeds the data, so a long-lived registry never already holds this layer.
    fileSha = await writeRandomFile(join(rootfs, 'big.bin'), SIZE, image);
    await engine.docker(['import', await tarDir(rootfs, join(work, 'rootfs.tar')), image]);
    // vfs keeps its own copies; drop ours to halve the disk this test needs.
    rmSync(join(work, 'rootfs'), { recursive: true });
    rmSync(join(work, 'rootfs.tar'));
    localId = (await inspectImage(engine, image)).id;
  });

  afterAll(async () => {
    console.log(`MEASURE ${topology} 300MB push=${pushSeconds.toFixed(1)}s pull=${pullSeconds.toFixed(1)}s ${memory()}`);
    await engine?.stop();
    await registry?.stop();
    if (work) removeTree(work);
  });

  /** Peak RSS of the registry process tree, when we know its pid. */
  function memory(): string {
    if (!registry?.pid) return 'peakRSS=n/a (set E2E_REGISTRY_PID for an external registry)';
    const { totalMB, byProcess } = peakRssMB(registry.pid);
    return `peakRSS=${totalMB}MB (${byProcess.join(' ')})`;
  }

  test('docker push of a 300 MB layer succeeds', async () => {
    const [push, seconds] = await timed(() => engine.docker(['push', image]));
    pushSeconds = seconds;
    expect(push.output).toMatch(/: Pushed$/m);
    pushedDigest = DIGEST_LINE.exec(push.output)![1];
  });

  test('the pulled 300 MB layer holds exactly the bytes that were pushed', async () => {
    await engine.docker(['rmi', image]);
    const [pull, seconds] = await timed(() => engine.docker(['pull', image]));
    pullSeconds = seconds;
    expect(pull.output).toContain(`Digest: ${pushedDigest}`);
    expect((await inspectImage(engine, image)).id).toBe(localId);
    const copy = await copyFileFromImage(engine, image, '/big.bin', work);
    expect(await sha256File(copy)).toBe(fileSha);
  });
});
