/**
 * Embedded backends that outlived the `npm start` which started them (its lock is stale): a DynamoDB
 * Local or local S3 server still running on this data directory's files would share them with the
 * ones about to start. Normally they exit with their parent; this covers a parent killed together
 * with the watchdogs that would have stopped them. Linux (/proc) only; elsewhere it finds nothing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const BACKEND_COMMANDS = new Set(['java', 'sh', 'node']);

/** Pids of processes whose arguments name this data directory's dynamodb/ or s3/ folder. */
export function findStaleBackends(dataDir: string): number[] {
  const folders = new Set([join(dataDir, 'dynamodb'), join(dataDir, 's3')]);
  const found: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return found;
  }
  for (const entry of entries) {
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      // only what npm start runs there (java, its watchdog shell, node), never e.g. a tar of the folder
      const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      if (!BACKEND_COMMANDS.has(comm)) continue;
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (args.some((a) => folders.has(a))) found.push(pid);
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

/** Stops them: SIGTERM (DynamoDB Local then closes its database cleanly), SIGKILL after `graceMs`. */
export async function stopStaleBackends(pids: number[], graceMs = 5000): Promise<void> {
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return !/\)\s+Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  };
  const send = (pid: number, signal: NodeJS.Signals) => {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  };
  pids.forEach((pid) => send(pid, 'SIGTERM'));
  const deadline = Date.now() + graceMs;
  while (pids.some(alive) && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 100));
  pids.filter(alive).forEach((pid) => send(pid, 'SIGKILL'));
}
