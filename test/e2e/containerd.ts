/** A private containerd per test file, driven with `ctr`; state, sockets and config under one temp dir. */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeTree, run, RunOptions, RunResult, stopProcessTree, tail, tempDir, waitFor } from './exec';

/** A running containerd and a `ctr` bound to it. */
export interface Containerd {
  /** Runs `ctr --address SOCK ARGS`; throws on failure unless allowFail. */
  ctr(args: string[], opts?: RunOptions): Promise<RunResult>;
  /** Scratch directory owned by this daemon (removed by stop). */
  dir: string;
  stop(): Promise<void>;
}

/** Starts containerd and resolves once `ctr version` reaches it (up to 30 s). */
export async function startContainerd(): Promise<Containerd> {
  const dir = tempDir('containerd');
  const sock = join(dir, 'c.sock');
  const log = join(dir, 'containerd.log');
  // Our own config, so /etc/containerd/config.toml (CRI plugin, system paths) is never read.
  // The CRI plugin wants networking and a sandbox image: not needed to push and pull.
  writeFileSync(
    join(dir, 'config.toml'),
    [
      'version = 2',
      `root = "${join(dir, 'root')}"`,
      `state = "${join(dir, 'state')}"`,
      'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
      '[grpc]',
      `  address = "${sock}"`,
      '[ttrpc]',
      `  address = "${sock}.ttrpc"`,
      '',
    ].join('\n'),
  );
  const fd = openSync(log, 'a');
  const child = spawn('containerd', ['--config', join(dir, 'config.toml')], {
    stdio: ['ignore', fd, fd],
    detached: true,
  });
  closeSync(fd);

  const ctr = (args: string[], opts?: RunOptions): Promise<RunResult> => run('ctr', ['--address', sock, ...args], opts);
  const stop = async (): Promise<void> => {
    await stopProcessTree(child, 15_000, false);
    removeTree(dir);
  };

  if (!(await waitFor(async () => (await ctr(['version'], { allowFail: true })).code === 0, 30_000))) {
    const text = tail(readFileSync(log, 'utf8'));
    await stop();
    throw new Error(`containerd did not come up in 30 s:\n${text}`);
  }
  return { ctr, dir, stop };
}

/** The manifest digest containerd records for an image reference. */
export async function imageDigest(c: Containerd, ref: string): Promise<string> {
  const out = await c.ctr(['images', 'ls']);
  const row = out.stdout.split('\n').find((l) => l.split(/\s+/)[0] === ref);
  if (!row) throw new Error(`${ref} not in ctr images ls:\n${out.stdout}`);
  return row.split(/\s+/)[2];
}
