/**
 * <dataDir>/stratus.lock: one process at a time runs backends on a data directory (`npm start`, or a
 * `npx stratus` command while the registry is stopped). Two DynamoDB Locals or S3 servers on the same
 * files would each cache and overwrite what the other writes.
 *
 * The file names its holder by pid, the process's start time and the boot id, so a lock left by a
 * process that is gone (kill -9, a crash, a reboot; even when its pid has been reused since) is
 * recognised as stale and taken over.
 */
import { linkSync, mkdirSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StartupError } from './startup-error';

/** Who holds a data directory. */
export interface LockHolder {
  pid: number;
  /** Clock ticks since boot at which the process started (/proc/<pid>/stat), to tell a reused pid apart. */
  startTime?: string;
  bootId?: string;
  /** What runs there, e.g. "npm start". */
  role: string;
  startedAt: string;
}

/** A held lock; `stale` is the holder found dead when it was taken over (an unclean stop). */
export interface DataDirLock {
  stale?: LockHolder;
  release(): void;
}

/** The lock file of a data directory. */
export function lockFile(dataDir: string): string {
  return join(dataDir, 'stratus.lock');
}

/** Takes the data directory for this process, or throws a StartupError naming the live holder. */
export function lockDataDir(dataDir: string, role: string): DataDirLock {
  const file = lockFile(dataDir);
  const me: LockHolder = { pid: process.pid, startTime: startTime(process.pid), bootId: bootId(), role, startedAt: new Date().toISOString() };
  // Written whole to a temp file, then linked into place: a reader never sees half a lock.
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(me), { mode: 0o600 });
  try {
    let stale: LockHolder | undefined;
    if (!tryLink(tmp, file)) {
      stale = withTakeoverGuard(dataDir, () => {
        const holder = readHolder(file);
        if (holder && isAlive(holder)) throw inUse(dataDir, holder);
        rmSync(file, { force: true });
        if (!tryLink(tmp, file)) throw new StartupError(`could not take ${file}: another process took it at the same moment; try again`);
        return holder ?? { pid: 0, role: 'unknown (unreadable lock file)', startedAt: '' };
      });
    }
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      process.off('exit', release);
      // Only our own lock: never remove one a later holder took over.
      if (readHolder(file)?.pid === process.pid) rmSync(file, { force: true });
    };
    process.on('exit', release);
    return { stale, release };
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** The holder named in a data directory's lock file, if it is alive. */
export function liveHolder(dataDir: string): LockHolder | undefined {
  const holder = readHolder(lockFile(dataDir));
  return holder && isAlive(holder) ? holder : undefined;
}

function inUse(dataDir: string, h: LockHolder): StartupError {
  return new StartupError(
    `data directory ${dataDir} is in use by ${h.role} (pid ${h.pid}, since ${h.startedAt}): stop it first, ` +
      'or give this one another directory with STRATUS_DATA_DIR',
  );
}

function tryLink(from: string, to: string): boolean {
  try {
    linkSync(from, to);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/**
 * Runs a stale-lock takeover under a short-lived directory lock, so two processes that both find the
 * same stale lock cannot both remove it and each believe it holds the data directory.
 */
function withTakeoverGuard<T>(dataDir: string, fn: () => T): T {
  const guard = join(dataDir, 'stratus.lock.takeover');
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      mkdirSync(guard);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // a guard older than a few seconds was left by a process killed mid-takeover
      if (Date.now() - statSync(guard, { throwIfNoEntry: false })!.mtimeMs > 10_000 || Date.now() > deadline) {
        rmdirSync(guard);
        continue;
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
  }
  try {
    return fn();
  } finally {
    rmdirSync(guard);
  }
}

function readHolder(file: string): LockHolder | undefined {
  try {
    const holder = JSON.parse(readFileSync(file, 'utf8')) as LockHolder;
    return Number.isSafeInteger(holder.pid) && holder.pid > 0 ? holder : undefined;
  } catch {
    return undefined; // absent or unreadable: nobody we could ask to stop
  }
}

function isAlive(h: LockHolder): boolean {
  const boot = bootId();
  if (h.bootId && boot && h.bootId !== boot) return false; // the machine restarted since
  try {
    process.kill(h.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false; // EPERM: alive, another user's
  }
  const fields = statFields(h.pid);
  if (fields?.[0] === 'Z') return false; // killed, not yet reaped by its parent
  const now = fields?.[19];
  return !(h.startTime && now && now !== h.startTime); // a different process under a reused pid
}

/** Start time of a process (Linux /proc), undefined elsewhere or when it is gone. */
function startTime(pid: number): string | undefined {
  return statFields(pid)?.[19];
}

/** The fields of /proc/<pid>/stat after the command name: state first, start time at 19. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

function bootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return undefined;
  }
}
