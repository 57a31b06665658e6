/** Small process and file helpers shared by the end-to-end tests (real clients, real daemons). */
import { spawn, ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

/** What a finished command printed and how it exited. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved roughly as printed: what a user sees in a terminal. */
  output: string;
}

/** Options for {@link run}. */
export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Return a non-zero exit instead of throwing. */
  allowFail?: boolean;
  timeoutMs?: number;
}

/** Runs a command without a shell; throws (with the command's output) on a non-zero exit unless allowFail. */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let output = '';
    child.stdout.on('data', (d: Buffer) => ((stdout += d), (output += d)));
    child.stderr.on('data', (d: Buffer) => ((stderr += d), (output += d)));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 300_000);
    child.on('error', (err) => (clearTimeout(timer), reject(err)));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result = { code: code ?? 128, stdout, stderr, output };
      if (result.code === 0 || opts.allowFail) return resolve(result);
      const line = `${cmd} ${args.join(' ')}`;
      reject(new Error(`\`${line}\` exited ${code ?? signal}:\n${tail(output, 3000)}`));
    });
  });
}

/** The last `chars` characters of a text, for error messages. */
export function tail(text: string, chars = 4000): string {
  return text.length > chars ? '...' + text.slice(-chars) : text;
}

/** A fresh directory under /tmp; short on purpose, because unix socket paths are limited to 107 bytes. */
export function tempDir(prefix: string): string {
  return mkdtempSync(`/tmp/e2e-${prefix}-`);
}

/** Removes a directory a daemon used: lazily unmounts anything still mounted below it first. */
export function removeTree(dir: string): void {
  const mounts = readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1])
    .filter((m) => m && (m === dir || m.startsWith(dir + '/')))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) execFileSync('umount', ['-l', m], { stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true });
}

/** Hex sha256 of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A repository-name-safe token unique to this run, so reruns against a long-lived registry never collide. */
export function runId(): string {
  return Date.now().toString(36) + randomBytes(3).toString('hex');
}

/** Polls `check` until it returns true or the deadline passes. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, stepMs = 250): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return true;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return false;
}

/** Fields of /proc/PID/stat after the command name (which may contain spaces), or undefined if gone. */
function statFields(pid: number | string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined; // the process exited
  }
}

/** A process's start time (clock ticks since boot): with the pid, it names one process even if pids wrap. */
function startTime(pid: number): string | undefined {
  return statFields(pid)?.[19];
}

/** All descendants of a process (children, grandchildren, ...), read from /proc. */
export function descendants(pid: number): number[] {
  const childrenOf = new Map<number, number[]>();
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    const ppid = Number(statFields(entry)?.[1]);
    childrenOf.set(ppid, [...(childrenOf.get(ppid) ?? []), Number(entry)]);
  }
  const out: number[] = [];
  const walk = (p: number): void => (childrenOf.get(p) ?? []).forEach((c) => (out.push(c), walk(c)));
  walk(pid);
  return out;
}

/** Stops a detached daemon: SIGTERM to `pid`, then SIGKILL to its group and leftover descendants. */
export async function stopProcessTree(child: ChildProcess, graceMs = 15_000, termGroup = true): Promise<void> {
  const pid = child.pid;
  if (!pid || child.exitCode !== null || child.signalCode !== null) return;
  const family = descendants(pid).map((p) => [p, startTime(p)] as const);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  signal(termGroup ? -pid : pid, 'SIGTERM');
  const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceMs).unref());
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    signal(-pid, 'SIGKILL');
    await exited;
  }
  // Children that left the group or outlived their parent; the start time guards against reused pids.
  for (const [p, started] of family) if (started && startTime(p) === started) signal(p, 'SIGKILL');
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/**
 * Awaits every start even when one fails, then rethrows the first failure: whatever did start has been
 * assigned by then, so afterAll can stop it (Promise.all would leave a slow daemon starting unowned).
 */
export async function settle(...starts: Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(starts);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
