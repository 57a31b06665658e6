/**
 * Processes of the "other machines" test: the registry exactly as `npm start` runs it, and a Docker engine,
 * each started with a network namespace as its network (nsenter --net), with their logs in a temp dir.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Dockerd } from './dockerd';
import { removeTree, run, RunOptions, RunResult, stopProcessTree, tail, tempDir, waitFor } from './exec';

const ROOT = resolve(__dirname, '../..');

/** A registry running inside a namespace. */
export interface RemoteRegistry {
  /** "ip:port" as clients in the other namespace name it. */
  host: string;
  /** The registry's own process (its backends are children), for memory figures. */
  pid: number;
  logFile: string;
  /** STRATUS_DATA_DIR (endpoints.json names the embedded backends). */
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * Starts `node --require tsx/cjs local/start.ts` (the source of what `npm start` runs as a prebuilt bundle) in namespace `ns` with HOST=0.0.0.0
 * and a fresh data directory, and resolves once its start-up line is logged (clients are elsewhere).
 */
export async function startRegistryIn(ns: string, ip: string, port: number, env: Record<string, string>): Promise<RemoteRegistry> {
  const dir = tempDir('remote-registry');
  const logFile = join(dir, 'registry.log');
  const fd = openSync(logFile, 'a');
  const child = spawn('nsenter', [`--net=/run/netns/${ns}`, process.execPath, '--require', 'tsx/cjs', 'local/start.ts'], {
    cwd: ROOT,
    env: { ...process.env, HOST: '0.0.0.0', PORT: String(port), STRATUS_DATA_DIR: join(dir, 'data'), ...env },
    stdio: ['ignore', fd, fd],
    detached: true, // its own process group: stop() reaches the backends it started
  });
  closeSync(fd);
  let exited = false;
  child.once('exit', () => (exited = true));
  const stop = async (): Promise<void> => {
    await stopProcessTree(child);
    removeTree(dir);
  };
  const listening = () => readFileSync(logFile, 'utf8').includes('Stratus registry listening');
  const ready = await waitFor(async () => exited || listening(), 90_000);
  if (!ready || exited) {
    const log = tail(readFileSync(logFile, 'utf8'));
    await stop();
    throw new Error(`registry in ${ns} ${exited ? `exited with ${child.exitCode}` : 'not ready in 90 s'}:\n${log}`);
  }
  return { host: `${ip}:${port}`, pid: child.pid!, logFile, dataDir: join(dir, 'data'), stop };
}

/**
 * A private Docker engine whose own network is namespace `ns` (its pulls and pushes leave from there), set
 * up like dockerd.ts's (no iptables, no bridge, vfs, everything in one temp dir) plus `extraArgs`.
 */
export async function startDockerdIn(ns: string, extraArgs: string[]): Promise<Dockerd> {
  const dir = tempDir('dockerd-ns');
  const sock = join(dir, 'd.sock');
  const log = join(dir, 'dockerd.log');
  mkdirSync(join(dir, 'config'));
  const env = { DOCKER_HOST: `unix://${sock}`, DOCKER_CONFIG: join(dir, 'config'), DOCKER_BUILDKIT: '0', DOCKER_CLI_HINTS: 'false' };
  const fd = openSync(log, 'a');
  // nsenter, not `ip netns exec`: that remounts /sys, and dockerd then finds no cgroup mounts.
  const child = spawn('nsenter', [`--net=/run/netns/${ns}`, 'dockerd', '--iptables=false', '--ip6tables=false', '--bridge=none',
    '--storage-driver=vfs', `--data-root=${join(dir, 'data')}`, `--exec-root=${join(dir, 'exec')}`,
    `--pidfile=${join(dir, 'dockerd.pid')}`, `-H=unix://${sock}`, ...extraArgs], { stdio: ['ignore', fd, fd], detached: true });
  closeSync(fd);
  // The CLI talks to the engine over its unix socket: it runs outside the namespace, like dockerd.ts's.
  const docker = (args: string[], opts: RunOptions = {}): Promise<RunResult> => run('docker', args, { ...opts, env: { ...env, ...opts.env } });
  const stop = async (): Promise<void> => {
    await stopProcessTree(child, 30_000, false);
    removeTree(dir);
  };
  if (!(await waitFor(async () => (await docker(['info'], { allowFail: true })).code === 0, 60_000, 500))) {
    const text = tail(readFileSync(log, 'utf8'));
    await stop();
    throw new Error(`dockerd in ${ns} did not come up in 60 s:\n${text}`);
  }
  return { docker, env, dir, stop };
}
