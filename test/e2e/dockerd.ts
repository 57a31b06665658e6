/**
 * A private Docker engine per test file: no iptables, no bridge, vfs storage, everything under one temp
 * dir. The engine treats 127.0.0.0/8 registries as insecure, so it speaks plain HTTP to the registry.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeTree, run, RunOptions, RunResult, stopProcessTree, tail, tempDir, waitFor } from './exec';

/** A running engine and a `docker` CLI bound to it. */
export interface Dockerd {
  /** Runs `docker ARGS` against this engine with a private DOCKER_CONFIG; throws on failure unless allowFail. */
  docker(args: string[], opts?: RunOptions): Promise<RunResult>;
  /** Environment that points the docker CLI at this engine. */
  env: NodeJS.ProcessEnv;
  /** Scratch directory owned by this engine (removed by stop). */
  dir: string;
  stop(): Promise<void>;
}

/** Options of {@link startDockerd}. */
export interface DockerdOptions {
  /** More daemon flags, e.g. `--registry-mirror=http://127.0.0.1:PORT`. */
  extraArgs?: string[];
}

/** Starts dockerd and resolves once `docker info` answers (up to 60 s). */
export async function startDockerd(opts: DockerdOptions = {}): Promise<Dockerd> {
  const dir = tempDir('dockerd');
  const sock = join(dir, 'd.sock');
  const log = join(dir, 'dockerd.log');
  mkdirSync(join(dir, 'config'));
  const env = {
    DOCKER_HOST: `unix://${sock}`,
    DOCKER_CONFIG: join(dir, 'config'), // never read or write root's ~/.docker
    DOCKER_BUILDKIT: '0',
    DOCKER_CLI_HINTS: 'false',
  };
  const fd = openSync(log, 'a');
  const child = spawn(
    'dockerd',
    [
      '--iptables=false',
      '--ip6tables=false',
      '--bridge=none',
      '--storage-driver=vfs', // works on any filesystem, no overlay mounts to clean up
      `--data-root=${join(dir, 'data')}`,
      `--exec-root=${join(dir, 'exec')}`,
      `--pidfile=${join(dir, 'dockerd.pid')}`,
      `-H=unix://${sock}`,
      ...(opts.extraArgs ?? []),
    ],
    { stdio: ['ignore', fd, fd], detached: true },
  );
  closeSync(fd);

  const docker = (args: string[], opts: RunOptions = {}): Promise<RunResult> =>
    run('docker', args, { ...opts, env: { ...env, ...opts.env } });
  // dockerd shuts its own containerd down on SIGTERM; signal it alone first, the group only if it hangs.
  const stop = async (): Promise<void> => {
    await stopProcessTree(child, 30_000, false);
    removeTree(dir);
  };

  const up = await waitFor(async () => (await docker(['info'], { allowFail: true })).code === 0, 60_000, 500);
  if (!up) {
    const text = tail(readFileSync(log, 'utf8'));
    await stop();
    throw new Error(`dockerd did not come up in 60 s:\n${text}`);
  }
  return { docker, env, dir, stop };
}

/** Image ID and repo digests as the engine reports them. */
export async function inspectImage(d: Dockerd, ref: string): Promise<{ id: string; repoDigests: string[] }> {
  const out = await d.docker(['image', 'inspect', '--format', '{{json .Id}} {{json .RepoDigests}}', ref]);
  const [id, digests] = out.stdout.trim().split(' ');
  return { id: JSON.parse(id) as string, repoDigests: JSON.parse(digests) as string[] };
}

/** Reads one file out of an image without running it: `docker create` + `docker cp` into `destDir`. */
export async function copyFileFromImage(d: Dockerd, ref: string, path: string, destDir: string): Promise<string> {
  const id = (await d.docker(['create', ref, '/bin/sh'])).stdout.trim();
  try {
    await d.docker(['cp', `${id}:${path}`, destDir]);
  } finally {
    await d.docker(['rm', '-f', id]);
  }
  return join(destDir, path.split('/').pop() as string);
}

/**
 * Builds `FROM scratch` + the files of `rootfs` for a platform with the classic builder. Unlike
 * `docker import --platform`, which engine 20.10 ignores, this records the architecture in the config.
 */
export async function buildFromRootfs(d: Dockerd, rootfs: string, tag: string, platform: string): Promise<void> {
  writeFileSync(join(rootfs, 'Dockerfile'), 'FROM scratch\nCOPY . /\nCMD ["/bin/sh"]\n');
  writeFileSync(join(rootfs, '.dockerignore'), 'Dockerfile\n.dockerignore\n');
  await d.docker(['build', '--platform', platform, '-t', tag, rootfs]);
}
