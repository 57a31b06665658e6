/**
 * `npm run bench [-- --quick]`: Stratus and CNCF distribution 2.8 (Debian's `docker-registry`) side by side
 * on the same work, each started fresh: push and pull of a synthetic 3-layer image over the registry API,
 * manifest HEAD and GET by tag at concurrency 1 and 32, and each registry process's peak RSS during the push.
 * Prints a table with the ratio Stratus / each distribution variant and whether issue 5's targets hold, and
 * writes every figure to bench/results/<timestamp>.json. Only 127.0.0.1 is ever contacted.
 *
 * Contenders: Stratus (`local/start.ts`, embedded local S3 + DynamoDB Local), distribution on its S3 driver
 * pointed at the same local S3 server (blob redirects on) and distribution on its filesystem driver.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { load, LoadResult } from './load';
import { CONCURRENCY, LAYER_MB, LOAD_SECONDS, MODE, OCI_MANIFEST, ONLY, ROOT, RUNS, WARMUP_SECONDS } from './settings';
import { Image, syntheticImage } from './image';
import { Registry, cleanups, version, cpuDuring, cpuSeconds, listenerPid, resetPeak, startDistributionFs, startDistributionS3, startStratus, status } from './contenders';
import { pull, push, warmupPush } from './registry-client';
import { median, round } from './stats';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';


export interface Figures {
  pushSeconds: number[]; pullSeconds: number[];
  pushMBps: number; pullMBps: number;
  peakRssDuringPushMB?: number; rssAfterStartMB?: number;
  pullBytesViaRegistry: number; pullBytesViaRedirect: number; pullRedirects: number;
  manifest: Record<string, LoadResult[]>;
  startSeconds: number;
  /** CPU seconds per phase and process role (registry, its backends, the bench client that generates load). */
  cpuSeconds: Record<string, Record<string, number>>;
  /** CPU milliseconds per manifest request, per process role. */
  cpuMsPerRequest: Record<string, Record<string, number>>;
}

export async function measure(reg: Registry, image: Image): Promise<Figures> {
  const pid = listenerPid(reg.port);
  const total = image.layers.reduce((a, l) => a + l.size, 0);
  const f: Figures = {
    pushSeconds: [], pullSeconds: [], pushMBps: 0, pullMBps: 0, manifest: {}, startSeconds: 0,
    pullBytesViaRegistry: 0, pullBytesViaRedirect: 0, pullRedirects: 0, cpuSeconds: {}, cpuMsPerRequest: {},
  };
  if (pid) f.rssAfterStartMB = round((status(pid, 'VmRSS') ?? 0) / 2 ** 20);
  const canReset = pid ? resetPeak(pid) : false;
  // Warm-up, not recorded: one small blob and a manifest through every path a push takes (JIT of the Node
  // registry and of DynamoDB Local's JVM, connection pools), so that the figures compare steady state.
  await warmupPush(reg.base);
  f.cpuSeconds.push = (await cpuDuring(reg, async () => {
    for (let run = 0; run < RUNS; run++) {
      const t0 = performance.now();
      await push(reg.base, `bench/img${run}`, image);
      f.pushSeconds.push(round((performance.now() - t0) / 1000, 3));
    }
  })).cpu;
  if (pid && canReset) f.peakRssDuringPushMB = round((status(pid, 'VmHWM') ?? 0) / 2 ** 20);
  f.cpuSeconds.pull = (await cpuDuring(reg, async () => {
    for (let run = 0; run < RUNS; run++) {
      const t0 = performance.now();
      const p = await pull(reg.base, `bench/img${run}`, image);
      f.pullSeconds.push(round((performance.now() - t0) / 1000, 3));
      if (run === 0) { f.pullBytesViaRegistry = p.viaRegistry; f.pullBytesViaRedirect = p.viaRedirect; f.pullRedirects = p.redirected; }
    }
  })).cpu;
  f.pushMBps = round(total / 2 ** 20 / median(f.pushSeconds));
  f.pullMBps = round(total / 2 ** 20 / median(f.pullSeconds));
  const url = `${reg.base}/v2/bench/img0/manifests/latest`;
  // Warm-up, not recorded: JIT (Node, and DynamoDB Local's JVM), caches and connection pools. Without it
  // whichever load runs first (HEAD at c=1) pays the warm-up.
  for (const method of ['HEAD', 'GET']) await load(url, { method, headers: { accept: OCI_MANIFEST }, connections: 8, seconds: WARMUP_SECONDS });
  for (const method of ['HEAD', 'GET']) {
    for (const c of CONCURRENCY) {
      const key = `${method} c=${c}`;
      f.manifest[key] = [];
      const { cpu } = await cpuDuring(reg, async () => {
        for (let run = 0; run < RUNS; run++) {
          f.manifest[key]!.push(await load(url, { method, headers: { accept: OCI_MANIFEST }, connections: c, seconds: LOAD_SECONDS }));
        }
      });
      f.cpuSeconds[key] = cpu;
      const requests = f.manifest[key]!.reduce((a, r) => a + r.rps * LOAD_SECONDS, 0);
      f.cpuMsPerRequest[key] = Object.fromEntries(Object.entries(cpu).map(([role, sec]) => [role, round((sec * 1000) / requests, 3)]));
    }
  }
  return f;
}



export type Contender = 'stratus' | 'distribution-s3' | 'distribution-fs';

export function table(results: Partial<Record<Contender, Figures>>): { text: string; targets: Array<{ target: string; holds: boolean | null; detail: string }> } {
  const s = results.stratus;
  const cols: Contender[] = ['stratus', 'distribution-s3', 'distribution-fs'];
  const rows: Array<{ label: string; get: (f: Figures) => number | undefined; better: 'lower' | 'higher' | 'none'; unit: string }> = [
    { label: 'push image (s)', get: (f) => median(f.pushSeconds), better: 'lower', unit: 's' },
    { label: 'pull image (s)', get: (f) => median(f.pullSeconds), better: 'lower', unit: 's' },
    ...Object.keys(s?.manifest ?? results['distribution-s3']?.manifest ?? results['distribution-fs']?.manifest ?? {}).map((k) => ({
      label: `manifest ${k} (rps)`, get: (f: Figures) => (f.manifest[k] ? median(f.manifest[k]!.map((r) => r.rps)) : undefined), better: 'higher' as const, unit: 'rps',
    })),
    ...Object.keys(s?.manifest ?? {}).map((k) => ({
      label: `manifest ${k} p99 (ms)`, get: (f: Figures) => (f.manifest[k] ? median(f.manifest[k]!.map((r) => r.p99)) : undefined), better: 'lower' as const, unit: 'ms',
    })),
    { label: 'peak RSS during push (MB)', get: (f) => f.peakRssDuringPushMB, better: 'lower', unit: 'MB' },
    { label: 'RSS after start (MB)', get: (f) => f.rssAfterStartMB, better: 'lower', unit: 'MB' },
    { label: 'pull blob bytes via registry (MB)', get: (f) => round(f.pullBytesViaRegistry / 2 ** 20, 2), better: 'none', unit: 'MB' },
  ];
  const header = ['figure', ...cols, 'S/dist-s3', 'S/dist-fs'];
  const lines: string[][] = [header];
  for (const r of rows) {
    const v = cols.map((c) => (results[c] ? r.get(results[c]!) : undefined));
    const ratio = (i: number) => (v[0] !== undefined && v[i] ? `${round(v[0]! / v[i]!, 2)}x` : '-');
    lines.push([r.label, ...v.map((x) => (x === undefined ? '-' : String(round(x, 2)))), ratio(1), ratio(2)]);
  }
  const widths = header.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  const text = lines.map((l, j) => {
    const line = l.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
    return j === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
  }).join('\n');

  const d = results['distribution-s3'];
  const targets: Array<{ target: string; holds: boolean | null; detail: string }> = [];
  const check = (target: string, sv: number | undefined, dv: number | undefined, ok: (ratio: number) => boolean) => {
    if (sv === undefined || dv === undefined) return targets.push({ target, holds: null, detail: 'not measured' });
    const ratio = round(sv / dv, 2);
    targets.push({ target, holds: ok(ratio), detail: `${ratio}x (Stratus ${round(sv, 3)} vs ${round(dv, 3)})` });
  };
  check('push time <= 0.8x distribution-s3', s && median(s.pushSeconds), d && median(d.pushSeconds), (x) => x <= 0.8);
  check('pull time <= 1.0x distribution-s3', s && median(s.pullSeconds), d && median(d.pullSeconds), (x) => x <= 1.0);
  for (const k of Object.keys(s?.manifest ?? {})) {
    const rps = (f?: Figures) => (f?.manifest[k] ? median(f.manifest[k]!.map((r) => r.rps)) : undefined);
    check(`manifest ${k} rps >= 2x distribution-s3`, rps(s), rps(d), (x) => x >= 2);
  }
  if (s) targets.push({ target: '0 blob bytes through Stratus on pull', holds: s.pullBytesViaRegistry === 0, detail: `${s.pullBytesViaRegistry} bytes, ${s.pullRedirects} redirects` });
  return { text, targets };
}




async function main(): Promise<void> {
  const began = performance.now();
  const image = await syntheticImage();
  const totalMB = image.layers.reduce((a, l) => a + l.size, 0) / 2 ** 20;
  process.stdout.write(`Stratus bench (${MODE}): image of ${LAYER_MB.join('/')} MB layers (${totalMB} MB), ${RUNS} run(s) per figure, manifest load ${LOAD_SECONDS}s at c=${CONCURRENCY.join(',')}\n`);
  const work = mkdtempSync(join(tmpdir(), 'stratus-bench-'));
  const starters: Array<[Contender, (port: number, work: string) => Promise<Registry>]> = [
    ['stratus', startStratus], ['distribution-s3', startDistributionS3], ['distribution-fs', startDistributionFs],
  ];
  const results: Partial<Record<Contender, Figures>> = {};
  const failures: Record<string, string> = {};
  let port = 5200 + Math.floor(Math.random() * 600);
  try {
    for (const [name, start] of starters) {
      if (ONLY && !ONLY.includes(name)) continue;
      const t0 = performance.now();
      let reg: Registry | undefined;
      try {
        reg = await start(port++, work);
        const startSeconds = round((performance.now() - t0) / 1000, 2);
        process.stdout.write(`  ${name}: ready in ${startSeconds}s, measuring...\n`);
        results[name] = { ...(await measure(reg, image)), startSeconds };
      } catch (err) {
        failures[name] = err instanceof Error ? err.message : String(err);
        process.stdout.write(`  ${name}: FAILED: ${failures[name]}\n`);
      } finally {
        await reg?.stop();
      }
    }
  } finally {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  }
  const { text, targets } = table(results);
  process.stdout.write(`\n${text}\n\nTargets (vs distribution on S3):\n`);
  for (const t of targets) process.stdout.write(`  [${t.holds === null ? ' ?  ' : t.holds ? 'HOLD' : 'MISS'}] ${t.target}: ${t.detail}\n`);
  process.stdout.write('\nCPU by process (push and pull: seconds for the phase; manifest: ms per request):\n');
  for (const [name, f] of Object.entries(results)) {
    const fmt = (o: Record<string, number> | undefined) => Object.entries(o ?? {}).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${v}`).join(', ');
    process.stdout.write(`  ${name}\n    push: ${fmt(f.cpuSeconds.push)}\n    pull: ${fmt(f.cpuSeconds.pull)}\n`);
    for (const k of Object.keys(f.cpuMsPerRequest)) process.stdout.write(`    ${k}: ${fmt(f.cpuMsPerRequest[k])}\n`);
  }
  const elapsed = round((performance.now() - began) / 1000, 1);
  process.stdout.write(`\nNotes: one machine (${cpus().length} cores) runs registry, backends and load generator; RSS is the registry process alone (Stratus's S3 server and DynamoDB Local are separate processes).\ndistribution-s3 reaches the S3 server through a small XML-fix proxy inside the bench process (counted in "bench client"; see bench/run.ts).\nTotal ${elapsed}s.\n`);

  const resultsDir = join(ROOT, 'bench/results');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({
    mode: MODE, date: new Date().toISOString(), elapsedSeconds: elapsed,
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryMB: Math.round(totalmem() / 2 ** 20), platform: process.platform },
    versions: {
      node: process.version, stratus: (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version,
      distribution: version('docker-registry', ['--version']), java: version('java', ['-version']),
    },
    work: { layersMB: LAYER_MB, layers: image.layers.map((l) => ({ digest: l.digest, size: l.size })), runs: RUNS, loadSeconds: LOAD_SECONDS, concurrency: CONCURRENCY },
    results, failures, targets,
  }, null, 2));
  process.stdout.write(`Results: ${file}\n`);
  if (Object.keys(failures).length) {
    process.stdout.write(`Failures: logs kept under ${work}\n`);
    process.exitCode = 1;
  } else {
    rmSync(work, { recursive: true, force: true });
  }
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => void Promise.all(cleanups.map((c) => c().catch(() => undefined))).then(() => process.exit(130)));
}

main().catch(async (err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  process.exit(1);
});
