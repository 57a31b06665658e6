/**
 * `npm run bench:memory`: the registry process's memory as `npm start` runs it — idle RSS once ready and once
 * settled, and peak RSS (VmHWM, reset before each step) during a 1 GiB push, 4 parallel 200 MB pushes and
 * 16 parallel 64 MB pushes over the registry API (POST + PUT ?digest= streaming each whole blob, as
 * containerd pushes). Only the registry process is measured: the embedded S3 server and DynamoDB Local are
 * processes of their own (their RSS is printed beside it).
 *
 *   npm run bench:memory [-- --tsx] [--root=DIR] [--quick]
 *
 * --tsx runs local/start.ts through tsx (what `npm start` ran before it was prebuilt); --root runs another
 * checkout (e.g. a worktree of an older commit) with tsx; STRATUS_UPLOAD_MEMORY_MB is passed through.
 * The functions are exported for bench/run.ts.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildStartBundle } from '../local/bundle/build-start';
import { resetPeak, spawnGroup, status, stopGroup, waitReady } from './contenders';
import { pushBlob } from './registry-client';
import { ROOT } from './settings';

const MiB = 2 ** 20;
const MB = 2 ** 20;

/** A blob file to push. */
export interface BlobFile { path: string; digest: string; size: number }

/** One measured step: its wall time, the registry process's peak RSS meanwhile, and pushes that failed. */
export interface PeakStep { seconds: number; peakRssMB: number; failures?: string[] }

/** What bench:memory reports. */
export interface MemoryFigures {
  entry: string;
  uploadMemoryMB?: string;
  /** VmRSS a second after `GET /v2/` first answered. */
  rssAtReadyMB: number;
  /** VmRSS after `settleSeconds` idle (V8's memory reducer has run by then). */
  rssIdleSettledMB: number;
  settleSeconds: number;
  steps: Record<string, PeakStep>;
  /** RSS of the other processes of `npm start` at the end (the local S3 server's child, DynamoDB Local). */
  otherProcessesMB: Record<string, number>;
}

/** RSS of a process in MB (VmRSS, or VmHWM: the peak since start or the last resetPeak). */
export function rssMB(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  return Math.round((status(pid, field) ?? 0) / MB);
}

/** Runs `work` and returns its time and the process's peak RSS meanwhile (VmHWM reset first). */
export async function peakDuring(pid: number, work: () => Promise<void>): Promise<PeakStep> {
  if (!resetPeak(pid)) throw new Error(`cannot reset the peak RSS of ${pid} (/proc/${pid}/clear_refs): run as its owner`);
  const started = performance.now();
  await work();
  return { seconds: Math.round(performance.now() - started) / 1000, peakRssMB: rssMB(pid, 'VmHWM') };
}

/**
 * Writes (once, cached) a file of `mb` MiB whose every MiB is a shared random block stamped with the file's
 * name and the MiB's index: distinct digests per file, cheap to make, incompressible to the registry.
 */
export function blobFile(dir: string, name: string, mb: number): BlobFile {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.bin`);
  const index = `${path}.digest`;
  if (existsSync(path) && existsSync(index) && statSync(path).size === mb * MiB) {
    return { path, digest: readFileSync(index, 'utf8').trim(), size: mb * MiB };
  }
  const block = randomBytes(MiB);
  const hash = createHash('sha256');
  const fd = openSync(path, 'w');
  try {
    for (let i = 0; i < mb; i++) {
      block.write(`${name}:${i}:`.padEnd(32, ' '), 0, 'latin1');
      hash.update(block);
      writeSync(fd, block);
    }
  } finally {
    closeSync(fd);
  }
  const digest = `sha256:${hash.digest('hex')}`;
  writeFileSync(index, digest);
  return { path, digest, size: mb * MiB };
}

/** The pushes of the memory targets (issue 17); --quick scales them down for a smoke run. */
export function memoryWorkload(quick: boolean): Record<string, { count: number; mb: number }> {
  return quick
    ? { '1 x 100 MB': { count: 1, mb: 100 }, '4 x 20 MB': { count: 4, mb: 20 }, '16 x 8 MB': { count: 16, mb: 8 } }
    : { '1 x 1 GiB': { count: 1, mb: 1024 }, '4 x 200 MB': { count: 4, mb: 200 }, '16 x 64 MB': { count: 16, mb: 64 } };
}

/** Pushes each step's blobs in parallel (one repository per blob) and measures the registry's peak RSS. */
export async function measurePushPeaks(
  base: string, pid: number, workload: Record<string, { count: number; mb: number }>, cacheDir: string, log: (s: string) => void,
): Promise<Record<string, PeakStep>> {
  const steps: Record<string, PeakStep> = {};
  for (const [label, { count, mb }] of Object.entries(workload)) {
    const files = Array.from({ length: count }, (_, i) => blobFile(cacheDir, `m${mb}-${i}`, mb));
    await new Promise((r) => setTimeout(r, 2000)); // let the previous step's buffers go
    const failures: string[] = [];
    // A failed push is reported, not fatal: its bytes were still streamed through the registry's memory.
    const step = await peakDuring(pid, async () => {
      await Promise.all(files.map((f, i) => pushBlob(base, `bench/memory-${mb}-${i}`, f.digest, f.size, { file: f.path })
        .catch((err: Error) => void failures.push(err.message))));
    });
    steps[label] = failures.length > 0 ? { ...step, failures } : step;
    log(`${label}: ${step.seconds} s, peak RSS ${step.peakRssMB} MB${failures.length ? `; FAILED: ${failures.join('; ')}` : ''}`);
  }
  return steps;
}

/** How the registry under measurement is started. */
export interface MemoryTarget {
  /** 'bundle' = `npm start` (node .stratus/start/start.js); 'tsx' = node --require tsx/cjs local/start.ts. */
  entry: 'bundle' | 'tsx';
  /** The checkout to run (tsx only). @default this one */
  root?: string;
  port: number;
  settleSeconds: number;
  quick: boolean;
}

/** Starts the registry as described, measures idle and push memory, stops it. */
export async function measureMemory(target: MemoryTarget, log: (s: string) => void): Promise<MemoryFigures> {
  const root = target.root ?? ROOT;
  if (target.entry === 'bundle') await buildStartBundle();
  const work = mkdtempSync(join(tmpdir(), 'stratus-memory-'));
  const args = target.entry === 'bundle' ? npmStartArgs() : ['--require', 'tsx/cjs', 'local/start.ts'];
  const logFile = join(work, 'registry.log');
  const child = spawnGroup(process.execPath, args, {
    cwd: root, log: logFile,
    env: {
      ...process.env, PORT: String(target.port), HOST: '127.0.0.1', STRATUS_DATA_DIR: join(work, 'data'), STRATUS_AUTH: 'off',
      // another checkout uses this one's DynamoDB Local download
      STRATUS_CACHE_DIR: process.env.STRATUS_CACHE_DIR ?? join(ROOT, '.stratus', 'cache'),
    },
  });
  const base = `http://127.0.0.1:${target.port}`;
  try {
    await waitReady(base, child, logFile, 180);
    const pid = child.pid!;
    await new Promise((r) => setTimeout(r, 1000));
    const rssAtReadyMB = rssMB(pid);
    log(`${target.entry} (${root}): registry pid ${pid}, RSS at ready ${rssAtReadyMB} MB; settling ${target.settleSeconds} s`);
    await new Promise((r) => setTimeout(r, target.settleSeconds * 1000));
    const rssIdleSettledMB = rssMB(pid);
    log(`idle RSS after ${target.settleSeconds} s: ${rssIdleSettledMB} MB`);
    const steps = await measurePushPeaks(base, pid, memoryWorkload(target.quick), join(ROOT, '.stratus', 'bench-cache', 'memory'), log);
    return {
      entry: target.entry === 'bundle' ? 'npm start (prebuilt bundle)' : `tsx local/start.ts in ${root}`,
      uploadMemoryMB: process.env.STRATUS_UPLOAD_MEMORY_MB,
      rssAtReadyMB, rssIdleSettledMB, settleSeconds: target.settleSeconds, steps, otherProcessesMB: otherProcesses(pid, work),
    };
  } finally {
    await stopGroup(child);
    rmSync(work, { recursive: true, force: true });
  }
}

/** The Node arguments of package.json's `start` script (`node [flags] .stratus/start/start.js`): what `npm start` runs. */
export function npmStartArgs(): string[] {
  const script = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start!;
  const [node, ...args] = script.split(/\s+/);
  if (node !== 'node' || !args.some((a) => a.endsWith('start.js'))) throw new Error(`unexpected start script: ${script}`);
  return args;
}

/** RSS of `npm start`'s other processes: those whose command line names its data directory. */
function otherProcesses(registryPid: number, work: string): Record<string, number> {
  const out: Record<string, number> = {};
  const ps = execFileSync('ps', ['-eo', 'pid=,rss=,args='], { encoding: 'utf8' });
  for (const line of ps.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line);
    if (!m || Number(m[1]) === registryPid || !m[3]!.includes(work)) continue;
    // the processes themselves, not the shell that starts DynamoDB Local's JVM
    const role = /^\S*java\s/.test(m[3]!) ? 'dynamodb local (jvm)' : /^\S*node\s.*s3-server/.test(m[3]!) ? 's3 server (node)' : undefined;
    if (role) out[role] = (out[role] ?? 0) + Math.round((Number(m[2]) * 1024) / MB);
  }
  return out;
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const root = argv.find((a) => a.startsWith('--root='))?.slice('--root='.length);
  const quick = argv.includes('--quick');
  const target: MemoryTarget = {
    entry: argv.includes('--tsx') || root ? 'tsx' : 'bundle', root, port: Number(process.env.PORT ?? 5790),
    settleSeconds: quick ? 5 : 60, quick,
  };
  measureMemory(target, (s) => console.log(s)).then((f) => console.log(JSON.stringify(f, null, 2)), (err) => {
    console.error(err);
    process.exit(1);
  });
}
