/**
 * Ceph's processes for local/backends/ceph-rgw.ts: daemons run in the foreground under a watchdog shell
 * that kills them when this process goes (even on SIGKILL), and one-shot tools whose output is kept for
 * error messages. None of them gets the registry's settings or secrets (backendChildEnv).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { backendChildEnv } from './child-env';

// The daemon runs in the background of a shell that kills it when its stdin reaches EOF: when this
// process closes the pipe in stop() or dies in any way.
const WATCHDOG = 'exec 3<&0; "$@" </dev/null 3<&- & j=$!; (read -r _ <&3; kill -9 "$j") >/dev/null 2>&1 & wait "$j"';

/** A running daemon. */
export interface Daemon {
  name: string;
  /** Whether it has exited (it should not, until kill). */
  exited(): boolean;
  /** Its last output, for error messages. */
  output(): string;
  /** SIGKILL to the daemon (its data is thrown away: nothing to flush), then to its watchdog if still there. */
  kill(): Promise<void>;
}

/** Starts `command args...` in the foreground (ceph's `-f`), watched; its output is kept, not shown. */
export function startDaemon(name: string, command: string, args: string[]): Daemon {
  const child = spawn('sh', ['-c', WATCHDOG, name, command, ...args], {
    env: backendChildEnv(),
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  const collect = (chunk: Buffer) => { out = (out + chunk.toString()).slice(-8192); };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  child.on('error', (err) => collect(Buffer.from(`${err}\n`)));
  const exited = new Promise<void>((ok) => child.once('close', () => ok()));
  const onParentExit = () => killGroup(child);
  process.on('exit', onParentExit);
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as unknown as { unref?: () => void }).unref?.();
  return {
    name,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    output: () => out,
    kill: async () => {
      process.off('exit', onParentExit);
      child.stdin!.end(); // the watchdog kills the daemon, then the shell ends and is reaped here
      const timer = setTimeout(() => killGroup(child), 5_000);
      await exited;
      clearTimeout(timer);
      killGroup(child);
    },
  };
}

function killGroup(child: ChildProcess): void {
  try {
    if (child.pid) process.kill(-child.pid, 'SIGKILL'); // detached: the group is the shell and the daemon
  } catch {
    /* already gone */
  }
}

/** Runs a tool to completion with `input` on its stdin; resolves its stdout, rejects with its output. */
export function runTool(command: string, args: string[], input = '', timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: backendChildEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c; });
    child.stderr.on('data', (c: Buffer) => { stderr += c; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => { clearTimeout(timer); reject(err); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`${command} ${args.join(' ')} failed (${code ?? signal}):\n${stderr.slice(-4096)}${stdout.slice(-2048)}`));
    });
    child.stdin.end(input);
  });
}
