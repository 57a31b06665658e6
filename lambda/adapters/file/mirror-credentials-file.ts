import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { UpstreamCredentials, UpstreamCredentialSource } from '../../ports/mirror-store';

/** The folder of a local data directory that holds mirror rules' upstream credentials. */
export function mirrorCredentialsDir(dataDir: string): string {
  return join(dataDir, 'mirror-credentials');
}

/**
 * The credentials reference of a local rule: a file name made from its prefix. `/` becomes `+` and the
 * root is `_root`, neither of which a repository name may hold, so two prefixes never share a file.
 */
export function localCredentialsRef(prefix: string): string {
  const path = prefix.replace(/\/+$/, '');
  return path === '' ? '_root' : path.replace(/\//g, '+');
}

// What a reference may be: a file name, never a path (a rule read from the table must not name ../secrets).
const REF = /^[A-Za-z0-9_+][A-Za-z0-9._+-]{0,254}$/;

/** True when `ref` can name a file in the credentials folder. */
export function isLocalCredentialsRef(ref: string): boolean {
  return REF.test(ref) && !ref.includes('..');
}

/**
 * Upstream credentials as JSON files `<dir>/<ref>.json` ({"username","password"}), the folder 0700 and the
 * files 0600 (they hold passwords or tokens of other registries). Written to a temporary file and renamed,
 * so a reader never sees half a file. Read on every call: a fill asks once per upstream token.
 */
export class FileMirrorCredentials implements UpstreamCredentialSource {
  constructor(private readonly dir: string) {}

  async get(ref: string): Promise<UpstreamCredentials | null> {
    let text: string;
    try {
      text = await readFile(this.pathOf(ref), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    const creds = parseCredentials(text);
    // The message names the file only: its text may be a password.
    if (!creds) throw new Error(`${this.pathOf(ref)} does not hold {"username": ..., "password": ...}: add the mirror rule again with npx stratus mirror add`);
    return creds;
  }

  /** Stores the credentials of `ref`, replacing any. */
  async put(ref: string, creds: UpstreamCredentials): Promise<void> {
    const path = this.pathOf(ref);
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await chmod(this.dir, 0o700); // mkdir's mode is masked by the umask, and an existing folder keeps its own
    const temp = `${path}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify({ username: creds.username, password: creds.password }), { mode: 0o600 });
    await chmod(temp, 0o600);
    await rename(temp, path);
  }

  /** Removes the credentials of `ref` (nothing when there are none). */
  async remove(ref: string): Promise<void> {
    await rm(this.pathOf(ref), { force: true });
  }

  private pathOf(ref: string): string {
    if (!isLocalCredentialsRef(ref)) throw new Error(`mirror credentials reference ${JSON.stringify(ref.slice(0, 80))} is not a file name`);
    return join(this.dir, `${ref}.json`);
  }
}

/** {"username","password"} with two non-empty strings, else null. */
export function parseCredentials(text: string | undefined): UpstreamCredentials | null {
  let value: unknown;
  try {
    value = JSON.parse(text ?? '');
  } catch {
    return null;
  }
  const { username, password } = (value ?? {}) as Record<string, unknown>;
  if (typeof username !== 'string' || typeof password !== 'string' || !username || !password) return null;
  return { username, password };
}
