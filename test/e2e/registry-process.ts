/**
 * Starts the registry under test for one e2e test file: `node --require tsx/cjs local/start.ts` (the source of what `npm start` runs as a prebuilt bundle) on a
 * free port with a fresh data directory. E2E_REGISTRY=host:port targets an already running registry instead
 * (e.g. the reference registry, CNCF distribution); E2E_REGISTRY_PID then lets the tests measure its memory.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { descendants, removeTree, stopProcessTree, tail, tempDir, waitFor } from './exec';
import { freePort } from '../../local/backends/dynamodb-local';

export { freePort };

/** A running registry as the clients see it. */
export interface RegistryProcess {
  /** "127.0.0.1:PORT", the registry part of image references. */
  host: string;
  /** The spawned process (or E2E_REGISTRY_PID), for memory measurements. */
  pid?: number;
  /** Where the registry's stdout and stderr go. */
  logFile?: string;
  stop(): Promise<void>;
}

const ROOT = resolve(__dirname, '../..');
const START_TIMEOUT_MS = 60_000;

/** Options of a started registry. */
export interface StartOptions {
  /** Keep data here (kept on stop) instead of a fresh temp directory: to restart on the same data. */
  dataDir?: string;
  /** The entry point: local/start.ts (`npm start`, the default) or local/start-lambda.ts (`npm run start:lambda`). */
  script?: string;
  /** Extra environment for the registry. */
  env?: Record<string, string>;
}

/** The two ways to run Stratus locally that the e2e suite covers. */
export const TOPOLOGIES: Array<[string, StartOptions]> = [
  ['npm start', {}],
  ['npm run start:lambda (Lambda behind API Gateway + upload service)', { script: 'local/start-lambda.ts' }],
];

/** Starts (or, with E2E_REGISTRY, attaches to) the registry and resolves once `GET /v2/` answers 200. */
export async function startRegistry(opts: StartOptions = {}): Promise<RegistryProcess> {
  const external = process.env.E2E_REGISTRY;
  if (external) {
    const pid = process.env.E2E_REGISTRY_PID ? Number(process.env.E2E_REGISTRY_PID) : undefined;
    if (!(await v2Ready(external))) throw new Error(`E2E_REGISTRY=${external}: GET /v2/ did not answer 200`);
    return { host: external, pid, stop: async () => undefined };
  }

  // freePort() is check-then-use: another process may take the port before the registry binds it
  // (CI once failed with EADDRINUSE), so a start that lost that race is retried on fresh ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnFreePorts(opts);
    } catch (err) {
      if (attempt >= 3 || !(err instanceof PortTakenError)) throw err;
    }
  }
}

/** A start that failed because a port picked as free was taken before the registry listened. */
class PortTakenError extends Error {}

async function startOnFreePorts(opts: StartOptions): Promise<RegistryProcess> {
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const dir = tempDir('registry');
  // The log outlives the data directory (under the git-ignored .stratus/) so CI failures can be read later.
  const logDir = join(ROOT, '.stratus', 'e2e-logs');
  pruneLogs(logDir);
  const logFile = join(logDir, `registry-${port}-${Date.now()}.log`);
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', opts.script ?? 'local/start.ts'], {
    cwd: ROOT,
    env: {
      ...process.env, PORT: String(port), UPLOAD_PORT: String(await freePort()),
      STRATUS_DATA_DIR: opts.dataDir ?? join(dir, 'data'), ...opts.env,
    },
    stdio: ['ignore', fd, fd],
    detached: true, // its own process group, so stop() reaches the backends it started too
  });
  closeSync(fd);
  const stop = async (): Promise<void> => {
    await stopProcessTree(child);
    removeTree(dir);
  };

  let exited = false;
  child.once('exit', () => (exited = true));
  child.once('error', () => (exited = true)); // e.g. a failed spawn: report it like an early exit
  const ready = await waitFor(async () => exited || (await v2Ready(host)), START_TIMEOUT_MS);
  if (!ready || exited) {
    await stop();
    const log = readFileSync(logFile, 'utf8');
    const why = exited ? `exited with ${child.exitCode ?? child.signalCode}` : `not ready in ${START_TIMEOUT_MS} ms`;
    const message = `registry ${why}; log ${logFile}:\n${tail(log)}`;
    // local/startup-error.ts words a taken port as "port N on HOST is in use"; Node's own error says EADDRINUSE.
    if (exited && /port \d+ on \S+ is in use|EADDRINUSE/.test(log)) throw new PortTakenError(message);
    throw new Error(message);
  }
  return { host, pid: child.pid, logFile, stop };
}

/** Keeps the log directory from growing without bound: the newest logs are enough to debug a run. */
function pruneLogs(dir: string, keep = 40): void {
  mkdirSync(dir, { recursive: true });
  const logs = readdirSync(dir).filter((f) => f.endsWith('.log'));
  const newestFirst = logs.sort((a, b) => statSync(join(dir, b)).mtimeMs - statSync(join(dir, a)).mtimeMs);
  for (const old of newestFirst.slice(keep)) rmSync(join(dir, old), { force: true });
}

async function v2Ready(host: string): Promise<boolean> {
  const res = await fetch(`http://${host}/v2/`, { signal: AbortSignal.timeout(2000) });
  await res.arrayBuffer();
  // 401: up, with auth on.
  return res.status === 200 || res.status === 401;
}


/** Peak resident memory (VmHWM) of a process and each of its descendants, in MB. */
export function peakRssMB(pid: number): { totalMB: number; byProcess: string[] } {
  let total = 0;
  const byProcess: string[] = [];
  for (const p of [pid, ...descendants(pid)]) {
    try {
      const status = readFileSync(`/proc/${p}/status`, 'utf8');
      const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
      const name = /Name:\s+(\S+)/.exec(status)?.[1] ?? '?';
      total += kb / 1024;
      byProcess.push(`${name}[${p}]=${(kb / 1024).toFixed(0)}MB`);
    } catch {
      // exited meanwhile
    }
  }
  return { totalMB: Math.round(total), byProcess };
}
