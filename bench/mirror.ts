/**
 * `npm run bench:mirror [-- --quick]`: pulls of the bench image (bench/image.ts) through Stratus as a
 * registry mirror (issue 16) against the same pull straight from the upstream, CNCF distribution 2.8 on the
 * filesystem. Cold: the first pull from a fresh Stratus (every byte fetched upstream, streamed into S3,
 * then served by redirect); warm: the pulls after it (within the tag TTL). Prints medians, ratios, the
 * upstream's requests per pull (counted by a proxy in front of it) and Stratus's S3 and DynamoDB calls per
 * pull (its request log), and writes them to bench/results/mirror-<timestamp>.json. 127.0.0.1 only.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDistributionUpstream, UpstreamRegistry, RecordedRequest } from '../test/support/upstream-registry';
import { BackendCalls, callsDuring } from './backend-calls';
import { cleanups, Registry, startStratus } from './contenders';
import { Image, syntheticImage } from './image';
import { pull, push, warmupPush } from './registry-client';
import { LAYER_MB, MODE, ROOT, RUNS } from './settings';
import { median, round } from './stats';

const REPO = 'library/bench';
/** Clients pulling the same cold image at once (issue 16: one upstream fetch per blob, not one per client). */
const PARALLEL = 20;
const say = (s: string) => process.stdout.write(s);

/** The upstream's requests during one pull, by kind. */
interface UpstreamCounts { manifestHead: number; manifestGet: number; blobHead: number; blobGet: number; other: number }

/** One request as Stratus logged it. */
interface LoggedRequest { method: string; path: string; status: number; durationMs: number }

/** One pull through the mirror: its time, what the upstream saw, Stratus's backend calls and requests. */
interface MirrorPull { seconds: number; upstream: UpstreamCounts; calls?: BackendCalls; requests: LoggedRequest[] }

/** Every figure of a run. */
export interface MirrorFigures {
  imageMB: number;
  upstreamSeconds: number[];
  /** The same pull straight from distribution, but through the counting proxy the mirror's fetches cross. */
  upstreamViaProxySeconds: number[];
  /** PARALLEL clients pulling at once straight from distribution. */
  upstreamParallelSeconds?: number;
  cold: MirrorPull[];
  warm: MirrorPull[];
  /** PARALLEL clients pulling the cold image at once from a fresh Stratus: time until the last one is done. */
  parallelCold?: MirrorPull;
  /** Then PARALLEL clients at once again, warm. */
  parallelWarm?: MirrorPull;
  /** A push of the same image to a local repository of that Stratus: its store path, for comparison with a cold fill. */
  localPushSeconds?: number;
}

function countUpstream(requests: RecordedRequest[]): UpstreamCounts {
  const c: UpstreamCounts = { manifestHead: 0, manifestGet: 0, blobHead: 0, blobGet: 0, other: 0 };
  for (const r of requests) {
    const kind = r.path.includes('/manifests/') ? 'manifest' : r.path.includes('/blobs/') ? 'blob' : undefined;
    if (kind && r.method === 'HEAD') c[`${kind}Head`]++;
    else if (kind && r.method === 'GET') c[`${kind}Get`]++;
    else c.other++;
  }
  return c;
}

const seconds = async (work: () => Promise<unknown>): Promise<number> => {
  const t0 = performance.now();
  await work();
  return round((performance.now() - t0) / 1000, 3);
};

/** Adds the root rule (every name) pointing at the upstream, with the CLI, to the running Stratus. */
function addRootRule(reg: Registry, upstreamUrl: string): void {
  execFileSync(join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, 'bin/stratus-cli.ts'), 'mirror', 'add', '', upstreamUrl], {
    cwd: ROOT, env: { ...process.env, STRATUS_DATA_DIR: reg.dataDir! }, stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** One pull through Stratus, with the upstream's requests and Stratus's backend calls during it. */
async function mirrorPull(reg: Registry, upstream: UpstreamRegistry, image: Image, clients = 1): Promise<MirrorPull> {
  upstream.clearRequests();
  let time = 0;
  let from = 0;
  const pulls = () => Promise.all(Array.from({ length: clients }, () => pull(reg.base, REPO, image)));
  const { calls } = await callsDuring(reg, async () => { from = statSync(reg.log!).size; time = await seconds(pulls); });
  return { seconds: time, upstream: countUpstream(upstream.requests()), calls, requests: loggedRequests(reg.log!, from) };
}

/** The requests Stratus logged from byte `from` of its log on. */
function loggedRequests(log: string, from: number): LoggedRequest[] {
  return readFileSync(log).subarray(from).toString('utf8').split('\n').filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LoggedRequest & { message: string })
    .filter((l) => l.message === 'request')
    .map(({ method, path, status, durationMs }) => ({ method, path, status, durationMs }));
}

/** Starts a fresh Stratus (empty S3 and table) with the root rule pointing at the upstream. */
async function freshMirror(port: number, dir: string, upstreamUrl: string): Promise<Registry> {
  mkdirSync(dir);
  const reg = await startStratus(port, dir);
  addRootRule(reg, upstreamUrl);
  await warmupPush(reg.base); // a local repository: warms the host, not the mirror's path
  execFileSync('sync');
  return reg;
}

/** Measures everything; `port` is the first port tried for Stratus. */
export async function measureMirror(image: Image, work: string, port: number, log: (s: string) => void = say): Promise<MirrorFigures> {
  const imageMB = round(image.layers.reduce((a, l) => a + l.size, 0) / 2 ** 20);
  const upstream = await startDistributionUpstream({ dataDir: join(work, 'upstream-data') });
  cleanups.push(() => upstream.dispose());
  const f: MirrorFigures = { imageMB, upstreamSeconds: [], upstreamViaProxySeconds: [], cold: [], warm: [] };
  try {
    const direct = upstream.seedUrl();
    await warmupPush(direct);
    await push(direct, REPO, image);
    execFileSync('sync'); // the pushes' dirty pages are written back before any timed pull
    await pull(direct, REPO, image); // untimed: distribution's caches and the page cache, as warm as Stratus's S3
    for (let run = 0; run < RUNS; run++) {
      f.upstreamSeconds.push(await seconds(() => pull(direct, REPO, image)));
      f.upstreamViaProxySeconds.push(await seconds(() => pull(upstream.url, REPO, image)));
    }
    f.upstreamParallelSeconds = await seconds(() => Promise.all(Array.from({ length: PARALLEL }, () => pull(direct, REPO, image))));
    log(` upstream (${round(median(f.upstreamSeconds), 2)}s, ${PARALLEL} at once ${f.upstreamParallelSeconds}s)`);

    // Cold needs an empty Stratus each time (blobs are shared across repositories): a fresh one per run.
    for (let run = 0; run < RUNS; run++) {
      const reg = await freshMirror(port++, join(work, `stratus-${run}`), upstream.url);
      try {
        f.cold.push(await mirrorPull(reg, upstream, image));
        if (run === RUNS - 1) for (let w = 0; w < RUNS; w++) f.warm.push(await mirrorPull(reg, upstream, image));
      } finally {
        await reg.stop();
      }
    }
    log(` mirror cold (${round(median(f.cold.map((p) => p.seconds)), 2)}s) warm (${round(median(f.warm.map((p) => p.seconds)), 2)}s)`);
    const reg = await freshMirror(port++, join(work, 'stratus-parallel'), upstream.url);
    try {
      f.parallelCold = await mirrorPull(reg, upstream, image, PARALLEL);
      f.parallelWarm = await mirrorPull(reg, upstream, image, PARALLEL);
      execFileSync('sync');
      f.localPushSeconds = await seconds(() => push(reg.base, 'bench/local', image)); // every byte uploaded again
    } finally {
      await reg.stop();
    }
    log(` ${PARALLEL} at once cold (${f.parallelCold.seconds}s) warm (${f.parallelWarm.seconds}s)`);
  } finally {
    await upstream.dispose();
  }
  return f;
}

const shortPath = (p: string) => p.replace(/^\/v2\/[^]*?\/(manifests|blobs)\//, '$1/').replace(/sha256:([a-f0-9]{8})[a-f0-9]+/, '$1');
const spread = (xs: number[]) => `${round(median(xs), 2)}s (${round(Math.min(...xs), 2)}–${round(Math.max(...xs), 2)})`;
const upstreamText = (c: UpstreamCounts) =>
  `HEAD manifest ${c.manifestHead}, GET manifest ${c.manifestGet}, HEAD blob ${c.blobHead}, GET blob ${c.blobGet}${c.other ? `, other ${c.other}` : ''}`;
const callsText = (c?: BackendCalls) => (c ? `S3 ${c.s3}, DynamoDB ${c.dynamodb} (${c.dynamodbReads} reads), ${c.requests} requests, ${c.redirects} redirects` : 'n/a');

/** The lines the bench prints for the mirror. */
export function mirrorLines(f: MirrorFigures): string[] {
  const up = median(f.upstreamSeconds);
  const ratio = (xs: number[]) => `${round(median(xs) / up, 2)}x`;
  const cold = f.cold.map((p) => p.seconds);
  const warm = f.warm.map((p) => p.seconds);
  return [
    `pull of the ${f.imageMB} MB image (manifest by tag, then config and layers in parallel, digests verified), median (min–max) of ${f.upstreamSeconds.length}:`,
    `  upstream, straight from distribution (fs)   ${spread(f.upstreamSeconds)}`,
    `  upstream through the counting proxy          ${spread(f.upstreamViaProxySeconds)}  ${ratio(f.upstreamViaProxySeconds)}`,
    `  Stratus mirror, cold (fresh Stratus)         ${spread(cold)}  ${ratio(cold)}`,
    `  Stratus mirror, warm                         ${spread(warm)}  ${ratio(warm)}`,
    'upstream requests per pull (at the proxy):',
    `  cold: ${upstreamText(f.cold[0]!.upstream)}`,
    `  warm: ${upstreamText(f.warm[0]!.upstream)}`,
    'Stratus backend calls per pull (its request log):',
    `  cold: ${callsText(f.cold[0]!.calls)}`,
    `  warm: ${callsText(f.warm[0]!.calls)}`,
    ...(f.localPushSeconds ? [`push of the same image to a local repository of Stratus (the bytes' way into S3 without the upstream): ${f.localPushSeconds}s`] : []),
    `Stratus's requests in the first cold pull (ms): ${f.cold[0]!.requests.map((r) => `${r.method} ${shortPath(r.path)} ${r.status} ${r.durationMs}`).join('; ')}`,
    ...(f.parallelCold && f.parallelWarm && f.upstreamParallelSeconds ? [
      `${PARALLEL} clients pulling at once, until the last is done:`,
      `  upstream, straight from distribution (fs)   ${f.upstreamParallelSeconds}s`,
      `  Stratus mirror, cold (fresh Stratus)         ${f.parallelCold.seconds}s  ${round(f.parallelCold.seconds / f.upstreamParallelSeconds, 2)}x`,
      `  Stratus mirror, warm                         ${f.parallelWarm.seconds}s  ${round(f.parallelWarm.seconds / f.upstreamParallelSeconds, 2)}x`,
      `  cold: upstream ${upstreamText(f.parallelCold.upstream)}; Stratus ${callsText(f.parallelCold.calls)}`,
      `  warm: upstream ${upstreamText(f.parallelWarm.upstream)}; Stratus ${callsText(f.parallelWarm.calls)}`,
    ] : []),
  ];
}

async function main(): Promise<void> {
  const image = await syntheticImage();
  say(`Stratus mirror bench (${MODE}): image of ${LAYER_MB.join('/')} MB layers, ${RUNS} run(s) per figure\n  measuring:`);
  const work = mkdtempSync(join(tmpdir(), 'stratus-bench-mirror-'));
  try {
    const f = await measureMirror(image, work, 5200 + Math.floor(Math.random() * 600));
    say(`\n\n${mirrorLines(f).join('\n')}\n`);
    const dir = join(ROOT, 'bench/results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `mirror-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, JSON.stringify({ mode: MODE, date: new Date().toISOString(), layersMB: LAYER_MB, runs: RUNS, ...f }, null, 2));
    say(`Results: ${file}\n`);
  } finally {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch(async (err) => {
    process.stderr.write(`bench:mirror failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    process.exit(1);
  });
}
