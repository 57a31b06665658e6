/**
 * `npm run bench:network [-- --quick]`: pulls from another machine. The registry runs in one network namespace,
 * skopeo in another (test/e2e/netns.ts: a veth pair, addresses only inside the pair). Contenders: Stratus as
 * `npm start` with HOST=0.0.0.0 (its embedded S3 is on the server's loopback, so the registry streams blob
 * bytes itself) and distribution 2.8 (Debian's docker-registry) on its filesystem driver, which serves blob
 * bytes itself too. Each gets the bench image and the big layer pushed by skopeo from the client namespace,
 * then the image is pulled RUNS times and the big layer once, with the registry's peak RSS during that pull.
 * Prints the figures and the ratio Stratus / distribution; writes bench/results/network-<timestamp>.json.
 */
import { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../test/e2e/exec';
import { createNetnsPair, NetnsPair } from '../test/e2e/netns';
import { startRegistryIn } from '../test/e2e/remote-registry';
import { distributionConfig, spawnGroup, status, stopGroup } from './contenders';
import { bigImage, ociLayout, syntheticImage } from './image';
import { BIG_LAYER_MB, LAYER_MB, MODE, ROOT, RUNS } from './settings';
import { median, round } from './stats';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const say = (s: string) => process.stdout.write(s);
const PORT = 5000;

/** A registry in the server namespace: where clients reach it, and its serving process. */
interface Served { host: string; pid: number; stop(): Promise<void> }

/** Figures of one contender. */
interface NetFigures { imagePull: number[]; bigPull: number; rssBeforeBigPullMB: number; bigPullPeakRssMB: number }

/** skopeo in the client namespace with an empty, private blob-info cache (see bench/real-clients.ts). */
async function skopeoIn(net: NetnsPair, args: string[]): Promise<void> {
  const cache = '/var/lib/containers/cache';
  await run('nsenter', [`--net=/run/netns/${net.client}`, 'unshare', '-m', 'sh', '-c',
    `mkdir -p ${cache} && mount -t tmpfs none ${cache} && exec skopeo --insecure-policy "$@"`, 'skopeo', ...args], { timeoutMs: 900_000 });
}

async function timed(work: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await work();
  return (performance.now() - t0) / 1000;
}

async function startStratusIn(net: NetnsPair): Promise<Served> {
  const reg = await startRegistryIn(net.server, net.serverIp, PORT, { STRATUS_AUTH: 'off' });
  return { host: reg.host, pid: reg.pid, stop: reg.stop };
}

async function startDistributionFsIn(net: NetnsPair, work: string): Promise<Served> {
  const dir = join(work, 'distribution-fs');
  mkdirSync(join(dir, 'data'), { recursive: true });
  const config = join(dir, 'config.yml');
  const storage = ['  filesystem:', `    rootdirectory: ${join(dir, 'data')}`].join('\n');
  writeFileSync(config, distributionConfig(PORT, storage).replace(`addr: 127.0.0.1:${PORT}`, `addr: 0.0.0.0:${PORT}`));
  const child: ChildProcess = spawnGroup('nsenter', [`--net=/run/netns/${net.server}`, 'docker-registry', 'serve', config], { cwd: dir, log: join(dir, 'registry.log') });
  const host = `${net.serverIp}:${PORT}`;
  for (let i = 0; i < 100; i++) {
    const probe = await run('nsenter', [`--net=/run/netns/${net.client}`, 'curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', `http://${host}/v2/`], { allowFail: true });
    if (probe.stdout === '200') return { host, pid: child.pid!, stop: () => stopGroup(child) };
    await new Promise((r) => setTimeout(r, 200));
  }
  await stopGroup(child);
  throw new Error(`distribution in ${net.server} not ready; log ${join(dir, 'registry.log')}`);
}

async function measureOne(net: NetnsPair, reg: Served, layouts: { image: string; big: string }, scratch: string): Promise<NetFigures> {
  const dest = (name: string) => mkdtempSync(join(scratch, `${name}-`));
  await skopeoIn(net, ['copy', '--quiet', '--dest-tls-verify=false', `oci:${layouts.image}:latest`, `docker://${reg.host}/bench/net:latest`]);
  await skopeoIn(net, ['copy', '--quiet', '--dest-tls-verify=false', `oci:${layouts.big}:latest`, `docker://${reg.host}/bench/big:latest`]);
  const imagePull: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const to = dest('pull');
    imagePull.push(await timed(() => skopeoIn(net, ['copy', '--quiet', '--src-tls-verify=false', `docker://${reg.host}/bench/net:latest`, `dir:${to}`])));
    rmSync(to, { recursive: true, force: true });
  }
  const rssBeforeBigPullMB = Math.round((status(reg.pid, 'VmRSS') ?? 0) / 2 ** 20);
  writeFileSync(`/proc/${reg.pid}/clear_refs`, '5'); // VmHWM from now on
  const to = dest('big');
  const bigPull = await timed(() => skopeoIn(net, ['copy', '--quiet', '--src-tls-verify=false', `docker://${reg.host}/bench/big:latest`, `dir:${to}`]));
  rmSync(to, { recursive: true, force: true });
  return { imagePull, bigPull, rssBeforeBigPullMB, bigPullPeakRssMB: Math.round((status(reg.pid, 'VmHWM') ?? 0) / 2 ** 20) };
}

async function main(): Promise<void> {
  const image = await syntheticImage();
  const big = await bigImage();
  const layouts = { image: ociLayout(image, 'net-image'), big: ociLayout(big, 'net-big') };
  const imageMB = image.layers.reduce((a, l) => a + l.size, 0) / 2 ** 20;
  say(`Stratus network bench (${MODE}): skopeo in another network namespace pulls a ${LAYER_MB.join('/')} MB image (${imageMB} MB) `
    + `${RUNS} time(s) and a ${BIG_LAYER_MB} MB layer once\n`);
  const work = mkdtempSync(join(tmpdir(), 'stratus-bench-net-'));
  const net = createNetnsPair();
  const results: Record<string, NetFigures> = {};
  try {
    for (const [name, start] of [['stratus', () => startStratusIn(net)], ['distribution-fs', () => startDistributionFsIn(net, work)]] as const) {
      const reg = await start();
      try {
        results[name] = await measureOne(net, reg, layouts, work);
        const f = results[name]!;
        say(`  ${name}: image pull ${round(median(f.imagePull), 2)} s (${f.imagePull.map((x) => round(x, 2)).join(', ')}), `
          + `${BIG_LAYER_MB} MB pull ${round(f.bigPull, 2)} s, registry RSS ${f.rssBeforeBigPullMB} MB before it, peak ${f.bigPullPeakRssMB} MB during it\n`);
      } finally {
        await reg.stop();
      }
    }
  } finally {
    net.remove();
    rmSync(work, { recursive: true, force: true });
  }
  const s = results.stratus!;
  const d = results['distribution-fs']!;
  say(`\n| figure | Stratus (proxy) | distribution (filesystem) | ratio |\n|---|---|---|---|\n`
    + `| image pull, skopeo (s) | ${round(median(s.imagePull), 2)} | ${round(median(d.imagePull), 2)} | ${round(median(s.imagePull) / median(d.imagePull), 2)}× |\n`
    + `| ${BIG_LAYER_MB} MB layer pull, skopeo (s) | ${round(s.bigPull, 2)} | ${round(d.bigPull, 2)} | ${round(s.bigPull / d.bigPull, 2)}× |\n`
    + `| registry RSS before / peak during that pull (MB) | ${s.rssBeforeBigPullMB} / ${s.bigPullPeakRssMB} | ${d.rssBeforeBigPullMB} / ${d.bigPullPeakRssMB} | |\n`);
  const out = join(ROOT, 'bench', 'results', `network-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(out, JSON.stringify({ mode: MODE, layersMB: LAYER_MB, bigLayerMB: BIG_LAYER_MB, runs: RUNS, results }, null, 2));
  say(`written to ${out}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
