/**
 * The local data directory's safety: private to its owner (it holds password hashes, signing keys and
 * every blob), writable, and cleared of what an unclean stop leaves behind.
 */
import { accessSync, chmodSync, constants, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { StartupError } from './startup-error';

/** Mode of the data directory: only its owner may enter it. */
export const DATA_DIR_MODE = 0o700;

/**
 * Creates the data directory 0700, or tightens an existing one (and its top-level entries) to its owner
 * alone, and makes what this process and its children create from now on private (umask 077).
 * Throws a StartupError that says what to do when the directory cannot be created or written.
 */
export function prepareDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: DATA_DIR_MODE });
  } catch (err) {
    throw unusable(dir, err);
  }
  // Files made by the registry, the local S3 and DynamoDB Local (all inherit the umask) are the owner's alone.
  process.umask(0o077);
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (err) {
    throw unusable(dir, err);
  }
  if (!statSync(dir).isDirectory()) throw new StartupError(`data directory ${dir} is not a directory: set STRATUS_DATA_DIR to a directory`);
  tighten(dir);
  // What Stratus made there before the directory was private (0755 folders, 0644 files): strip group and
  // other bits. Their own children are unreachable to others once these are 0700. Other entries (a
  // directory shared with something else) are not Stratus's to change.
  for (const name of STRATUS_ENTRIES) tighten(join(dir, name));
}

/** The top-level entries Stratus creates in a data directory. */
const STRATUS_ENTRIES = ['s3', 'dynamodb', 'signing-keys.json', 'endpoints.json', 'stratus.lock'];

function tighten(path: string): void {
  try {
    const { mode } = statSync(path);
    if (mode & 0o077) chmodSync(path, mode & 0o700);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EPERM') {
      throw new StartupError(`cannot make ${path} private (owned by another user): chown it to the user running Stratus`);
    }
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

function unusable(dir: string, err: unknown): StartupError {
  const code = (err as NodeJS.ErrnoException).code;
  const user = `user ${process.getuid?.() ?? '?'}`;
  const why = code === 'EACCES' || code === 'EPERM' ? `is not writable by ${user}`
    : code === 'EROFS' ? 'is on a read-only file system'
      : code === 'ENOTDIR' || code === 'EEXIST' ? 'is not a directory (or a parent of it is a file)'
        : `cannot be used (${(err as Error).message})`;
  return new StartupError(
    `data directory ${dir} ${why}: create it for the user running Stratus (chown), or set STRATUS_DATA_DIR to a directory it may write`,
  );
}

/**
 * Removes what a killed local S3 server leaves in its folder: temporary files of writes that never
 * finished (`*.<hex>.tmp` beside their target; finished writes rename theirs). Only call it while no
 * S3 server runs on the folder (the data directory's lock is held).
 */
export function removeUnfinishedWrites(s3Dir: string): number {
  let removed = 0;
  const walk = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // no S3 data yet
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.[0-9a-f]{12}\.tmp$/.test(entry.name)) {
        rmSync(path, { force: true });
        removed++;
      }
    }
  };
  walk(s3Dir);
  return removed;
}
