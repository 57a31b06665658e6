/**
 * An upstream registry for mirror tests: CNCF distribution 2.8 (Debian's `docker-registry`, the reference
 * registry) on 127.0.0.1 with filesystem storage, behind a {@link RecordingProxy} that counts every request
 * exactly. The proxy's port is the upstream's address: it stays the same across restart(), and after stop()
 * connections to it are refused, as with a registry that is down.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RecordedRequest, RecordingProxy } from './recording-proxy';
import { UpstreamAuth } from './upstream-auth';
import { freePort } from '../../local/backends/dynamodb-local';

export type { RecordedRequest } from './recording-proxy';
export type { UpstreamAuth } from './upstream-auth';

/** A running upstream registry. */
export interface UpstreamRegistry {
  /** `http://127.0.0.1:PORT`: what a mirror rule points at. */
  url: string;
  /** The port of {@link url}. */
  port: number;
  /** distribution's storage root (kept across restart(), removed by stop() unless passed in). */
  dataDir: string;
  /** distribution itself, bypassing the proxy (no auth, not recorded; changes on restart): for seeding content. */
  seedUrl(): string;
  /** Every request the upstream received since the start or the last clearRequests(), oldest first. */
  requests(): RecordedRequest[];
  clearRequests(): void;
  /** While set, every request gets `status` (e.g. 429, 503) without reaching distribution; undefined to heal. */
  setFailure(failure?: { status: number; retryAfterSeconds?: number }): void;
  /** distribution's own log (JSON lines), for debugging a failed test. */
  logText(): string;
  /** Stops distribution and the proxy: connections to `url` are refused until restart(). */
  stop(): Promise<void>;
  /** Starts again on the same port with the same data. */
  restart(): Promise<void>;
  /** stop() and remove the temporary directories (not a dataDir passed in). */
  dispose(): Promise<void>;
}

/** Options of {@link startDistributionUpstream}. */
export interface UpstreamOptions {
  /** The upstream's port (default: any free port). */
  port?: number;
  /** Keep the storage here instead of a fresh temp directory. */
  dataDir?: string;
  /**
   * Require authentication: Basic, or Docker Hub's bearer token flow (token endpoint at `<url>/token`).
   * Seed content through {@link UpstreamRegistry.seedUrl}, which bypasses the authentication.
   */
  auth?: UpstreamAuth;
}

const BINARY = '/usr/bin/docker-registry';
const START_TIMEOUT_MS = 30_000;

/** Starts distribution behind a recording proxy; resolves once `GET /v2/` answers through the proxy. */
export async function startDistributionUpstream(opts: UpstreamOptions = {}): Promise<UpstreamRegistry> {
  const workDir = mkdtempSync('/tmp/upstream-');
  const dataDir = opts.dataDir ?? join(workDir, 'data');
  const logFile = join(workDir, 'distribution.log');
  let backend: { child: ChildProcess; port: number } | undefined;
  const proxy = new RecordingProxy(() => ({ host: '127.0.0.1', port: backend?.port ?? 1 }), opts.auth);

  const up = async (port: number): Promise<number> => {
    backend = await startDistribution(workDir, dataDir, logFile);
    try {
      return await proxy.listen(port);
    } catch (err) {
      await stopChild(backend.child);
      throw err;
    }
  };
  const down = async (): Promise<void> => {
    await proxy.close();
    if (backend) await stopChild(backend.child);
    backend = undefined;
  };

  const port = await up(opts.port ?? 0);
  const url = `http://127.0.0.1:${port}`;
  return {
    url, port, dataDir,
    seedUrl: () => `http://127.0.0.1:${backend?.port ?? 1}`,
    requests: () => proxy.requests(),
    clearRequests: () => proxy.clearRequests(),
    setFailure: (f) => proxy.setFailure(f),
    logText: () => readFileSync(logFile, 'utf8'),
    stop: down,
    restart: async () => {
      await down();
      await up(port);
    },
    dispose: async () => {
      await down();
      rmSync(workDir, { recursive: true, force: true }); // a dataDir passed in lives elsewhere and stays
    },
  };
}

/** Starts distribution on a free port, retrying with another port when the one picked was taken meanwhile. */
async function startDistribution(workDir: string, dataDir: string, logFile: string): Promise<{ child: ChildProcess; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const config = join(workDir, 'config.yml');
    writeFileSync(config, distributionConfig(dataDir, port));
    const logStart = safeRead(logFile).length;
    const fd = openSync(logFile, 'a');
    const child = spawn(BINARY, ['serve', config], { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    let exited = false;
    child.once('exit', () => (exited = true));
    child.once('error', () => (exited = true));
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!exited && Date.now() < deadline && !(await v2Answers(port))) await sleep(100);
    if (!exited && Date.now() < deadline) return { child, port };

    await stopChild(child);
    const log = safeRead(logFile).slice(logStart);
    if (attempt < 5 && /address already in use/i.test(log)) continue; // lost the free-port race: pick another
    throw new Error(`distribution ${exited ? 'exited' : 'not ready'} on port ${port}; log:\n${log.slice(-3000)}`);
  }
}

/** distribution's configuration: filesystem storage, deletes allowed, JSON logs, 127.0.0.1 only. */
function distributionConfig(dataDir: string, port: number): string {
  return [
    'version: 0.1',
    'log:',
    '  level: info',
    '  formatter: json',
    '  accesslog:',
    '    disabled: false',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${dataDir}`,
    '  delete:',
    '    enabled: true',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    '  secret: stratus-test-upstream',
    '',
  ].join('\n');
}

async function v2Answers(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/v2/`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL after 5 s; resolves once the process is gone. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((ok) => child.once('exit', () => ok()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await gone;
  clearTimeout(timer);
}


function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
