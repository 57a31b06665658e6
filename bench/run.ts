/**
 * `npm run bench [-- --quick] [--only=<contenders>] [--docker]`: Stratus (Node host, and the local cloud
 * topology) and CNCF distribution 2.8 (Debian's `docker-registry`, on S3 and on the filesystem) side by
 * side on the same work, each started fresh: push and pull of a synthetic 3-layer image over the registry
 * API, with skopeo and with the Docker engine; manifest HEAD and GET by tag at concurrency 1 and 32; tags
 * list and catalog of a repository with 1,000 tags; a 1 GB single-layer push with the registry's peak RSS;
 * backend calls per push and pull; the local S3 server's and sha256's floors. Prints a table with medians,
 * spreads and ratios Stratus / each distribution variant and whether issue 5's targets hold, and writes
 * every figure (every run) to bench/results/<timestamp>.json. Only 127.0.0.1 is ever contacted.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { BIG_LAYER_MB, CONCURRENCY, DOCKER, LAYER_MB, LISTINGS, LOAD_SECONDS, MODE, ONLY, QUICK, ROOT, RUNS, TAGS } from './settings';
import { bigImage, ociLayout, syntheticImage } from './image';
import { Registry, cleanups, version, startDistributionFs, startDistributionS3, startStratus, startStratusLambda } from './contenders';
import { Figures, measure } from './measure';
import { measureScaleFigures } from './scale-figures';
import { measureMemory, MemoryFigures } from './memory';
import type { BackendCalls } from './backend-calls';
import { Floors, measureFloors } from './floors';
import { Engine, startEngine } from './real-clients';
import { CONTENDERS, Contender, costLines, costs, floorLines, Results, scaleTargets, table, targets } from './report';
import { round } from './stats';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const say = (s: string) => process.stdout.write(s);
const list = (o: Record<string, number>) => Object.entries(o).map(([k, v]) => `${k} ${v}`).join(', ');
/** The SDK probe's part of a count: commands by name and DynamoDB units (Stratus's Node host). */
const probed = (c: BackendCalls) => (c.readUnits === undefined ? ''
  : `; ${c.readUnits} read units, ${c.writeUnits} write units${c.dynamodbFailed ? `, ${c.dynamodbFailed} failed` : ''}`
    + ` {DynamoDB: ${list(c.dynamodbByCommand ?? {})}} {S3: ${list(c.s3ByCommand ?? {})}}`);

/** The Debian packages the contenders and real clients come from, by the command each provides. */
const NEEDED: Array<{ command: string; pkg: string; when: boolean }> = [
  { command: 'docker-registry', pkg: 'docker-registry', when: !ONLY || ONLY.some((c) => c.startsWith('distribution')) },
  { command: 'skopeo', pkg: 'skopeo', when: true },
  { command: 'dockerd', pkg: 'docker.io', when: DOCKER },
];

/** Stops with the apt-get command that installs what is missing, rather than failing halfway through. */
function checkTools(): void {
  const missing = NEEDED.filter((n) => n.when && spawnSync('sh', ['-c', `command -v ${n.command}`]).status !== 0);
  if (!missing.length) return;
  say(`The bench needs ${missing.map((m) => m.command).join(', ')}: apt-get install -y ${missing.map((m) => m.pkg).join(' ')} (as root)\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  checkTools();
  const began = performance.now();
  const image = await syntheticImage();
  const big = await bigImage();
  const layout = ociLayout(image, 'image');
  const imageMB = image.layers.reduce((a, l) => a + l.size, 0) / 2 ** 20;
  say(`Stratus bench (${MODE}): image of ${LAYER_MB.join('/')} MB layers (${imageMB} MB), a ${BIG_LAYER_MB} MB layer, ${TAGS} tags, `
    + `${RUNS} run(s) per figure, manifest load ${LOAD_SECONDS}s at c=${CONCURRENCY.join(',')}, Docker engine ${DOCKER ? 'on' : 'off (--docker)'}\n`);
  const work = mkdtempSync(join(tmpdir(), 'stratus-bench-'));
  const starters: Record<Contender, (port: number, work: string) => Promise<Registry>> = {
    stratus: startStratus, 'stratus-lambda': startStratusLambda, 'distribution-s3': startDistributionS3, 'distribution-fs': startDistributionFs,
  };
  const results: Results = {};
  const failures: Record<string, string> = {};
  let floors: Floors | undefined;
  let memory: MemoryFigures | undefined;
  let engine: Engine | undefined;
  let port = 5200 + Math.floor(Math.random() * 600);
  try {
    const t0 = performance.now();
    floors = await measureFloors(work, image.layers, big.layers, RUNS);
    say(`  floors: measured in ${round((performance.now() - t0) / 1000, 1)}s\n`);
    if (DOCKER) {
      try {
        engine = await startEngine(layout);
        cleanups.push(() => engine!.dockerd.stop());
        say(`  docker engine: image loaded in ${round(engine.loadSeconds, 1)}s\n`);
      } catch (err) {
        failures['docker engine'] = err instanceof Error ? err.message : String(err);
        say(`  docker engine: FAILED: ${failures['docker engine']}\n`);
      }
    }
    // In the order --only names them: whichever runs first meets a colder machine (page cache, JIT of the
    // clients), so swapping the order shows how much of a difference is the order's.
    const only = ONLY;
    const order = only ? CONTENDERS.filter((c) => only.includes(c)).sort((a, b) => only.indexOf(a) - only.indexOf(b)) : CONTENDERS;
    for (const name of order) {
      const started = performance.now();
      let reg: Registry | undefined;
      try {
        reg = await starters[name](port++, work);
        const startSeconds = round((performance.now() - started) / 1000, 2);
        say(`  ${name}: ready in ${startSeconds}s, measuring:`);
        const phase = (p: string) => say(` ${p} (${round((performance.now() - started) / 1000)}s)`);
        const f = await measure(reg, image, big, layout, engine, phase);
        results[name] = { ...f, startSeconds, ...(await measureScaleFigures(reg, phase)) } as Figures;
        say('\n');
      } catch (err) {
        failures[name] = err instanceof Error ? err.message : String(err);
        say(`\n  ${name}: FAILED: ${failures[name]}\n`);
      } finally {
        await reg?.stop();
      }
    }
    // `npm start` as users run it (the prebuilt bundle), for issue 17's memory targets: bench/memory.ts.
    if (order.includes('stratus')) {
      try {
        say('  npm start (memory):');
        memory = await measureMemory({ entry: 'bundle', port: port++, settleSeconds: QUICK ? 5 : 30, quick: QUICK }, (s) => say(` ${s};`));
        say('\n');
      } catch (err) {
        failures.memory = err instanceof Error ? err.message : String(err);
        say(`\n  memory: FAILED: ${failures.memory}\n`);
      }
    }
  } finally {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  }

  const held = targets(results, BIG_LAYER_MB);
  const scaleHeld = scaleTargets(results, floors, BIG_LAYER_MB, memory);
  const mark = (h: boolean | null) => (h === null ? ' ?  ' : h ? 'HOLD' : 'MISS');
  say(`\nMedian (min–max) of ${RUNS} run(s); ratios are of medians.\n${table(results)}\n\nTargets (issue 5, vs distribution on S3):\n`);
  for (const t of held) say(`  [${mark(t.holds)}] ${t.target}: ${t.detail}\n`);
  say('\nTargets (issue 17: floors, backend calls, listings, write rates, memory):\n');
  for (const t of scaleHeld) say(`  [${mark(t.holds)}] ${t.target}: ${t.detail}\n`);
  const costed = costs(results);
  say('\nAWS cost per operation (Stratus, from its counted calls):\n');
  for (const line of costLines(costed)) say(`  ${line}\n`);
  say('\nFloors (same run, same machine):\n');
  for (const line of floorLines(results, floors, imageMB)) say(`  ${line}\n`);
  say('\nBackend calls (Stratus: at the SDK, from its request log; distribution: requests at the S3 server):\n');
  for (const [name, f] of Object.entries(results)) {
    for (const [op, c] of Object.entries(f.backendCalls)) {
      if (!c) continue;
      say(`  ${name} ${op}: S3 ${c.s3}${c.dynamodb !== undefined ? `, DynamoDB ${c.dynamodb} (${c.dynamodbReads} reads) over ${c.requests} requests, at most ${c.maxReadsPerManifestOrBlobRequest} reads per manifest/blob GET or HEAD` : ''}`
        + `${c.presigned ? `, presigned GETs by the client ${c.presigned}` : ''}${c.byOperation ? ` [${Object.entries(c.byOperation).map(([k, v]) => `${k} ${v}`).join(', ')}]` : ''}`
        + `${probed(c)}\n`);
    }
    for (const [op, o] of Object.entries(f.operations?.calls ?? {})) {
      const c = o.calls;
      if (c) say(`  ${name} ${op} x${o.times}: S3 ${c.s3}${c.dynamodb !== undefined ? `, DynamoDB ${c.dynamodb} (${c.dynamodbReads} reads)` : ''}${probed(c)}\n`);
    }
  }
  say('\nCPU by process (push and pull: seconds for the phase; manifest: ms per request):\n');
  for (const [name, f] of Object.entries(results)) {
    const fmt = (o: Record<string, number> | undefined) => Object.entries(o ?? {}).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${v}`).join(', ');
    say(`  ${name}\n    push: ${fmt(f.cpuSeconds.push)}\n    pull: ${fmt(f.cpuSeconds.pull)}\n`);
    for (const k of Object.keys(f.cpuMsPerRequest)) say(`    ${k}: ${fmt(f.cpuMsPerRequest[k])}\n`);
  }
  const elapsed = round((performance.now() - began) / 1000, 1);
  say(`\nNotes: one machine (${cpus().length} cores) runs registries, backends, clients and load generator. RSS is the process listening on the `
    + 'registry port: for stratus the Node host (its S3 server and DynamoDB Local are separate processes); for stratus-lambda the process '
    + 'running the local API Gateway, the Lambda bundle and the upload service together. Tags list and catalog: median time of '
    + `${LISTINGS} complete listings one after another (Link pages followed). Total ${elapsed}s.\n`);

  const resultsDir = join(ROOT, 'bench/results');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({
    mode: MODE, date: new Date().toISOString(), elapsedSeconds: elapsed,
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryMB: Math.round(totalmem() / 2 ** 20), platform: process.platform },
    versions: {
      node: process.version, stratus: (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version,
      distribution: version('docker-registry', ['--version']), java: version('java', ['-version']),
      skopeo: version('skopeo', ['--version']), docker: version('docker', ['--version']),
    },
    work: {
      layersMB: LAYER_MB, layers: image.layers.map((l) => ({ digest: l.digest, size: l.size })), bigLayerMB: BIG_LAYER_MB,
      tags: TAGS, listings: LISTINGS, runs: RUNS, loadSeconds: LOAD_SECONDS, concurrency: CONCURRENCY, docker: DOCKER,
    },
    floors, results, memory, failures, targets: held, scaleTargets: scaleHeld, costs: costed,
  }, null, 2));
  say(`Results: ${file}\n`);
  if (Object.keys(failures).length) {
    say(`Failures: logs kept under ${work}\n`);
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
