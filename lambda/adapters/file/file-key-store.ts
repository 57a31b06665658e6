import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { KeySet, KeySetStore } from '../../ports/key-store';
import { DEFAULT_KEEP_PREVIOUS_SECONDS, newKeySet, parseKeySet, rotateKeySet, serializeKeySet } from '../../auth/signing-keys/key-set';

/** Where `npm start` and `npx stratus keys rotate` keep the local key set: `<dataDir>/signing-keys.json`. */
export function localKeyFile(dataDir: string): string {
  return join(dataDir, 'signing-keys.json');
}

/** Options of the file store. */
export interface FileKeySetStoreOptions {
  /** How long retired keys still verify tokens. @default 86400 (1 day) */
  keepPreviousSeconds?: number;
}

/**
 * The key set in a JSON file readable by its owner only (mode 0600), created on first load.
 * Written to a temporary file and renamed, so a reader never sees half a key set.
 */
export class FileKeySetStore implements KeySetStore {
  private readonly keepPreviousSeconds: number;

  constructor(private readonly path: string, opts: FileKeySetStoreOptions = {}) {
    this.keepPreviousSeconds = opts.keepPreviousSeconds ?? DEFAULT_KEEP_PREVIOUS_SECONDS;
  }

  async load(): Promise<KeySet> {
    const existing = await this.read();
    if (existing) return existing;
    const created = await newKeySet();
    try {
      await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
      // 'wx': two processes starting at once must not both create a key set.
      await writeFile(this.path, serializeKeySet(created), { mode: 0o600, flag: 'wx' });
      return created;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      return (await this.read())!;
    }
  }

  async rotate(): Promise<KeySet> {
    const rotated = await rotateKeySet((await this.read()) ?? undefined, this.keepPreviousSeconds);
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const temp = `${this.path}.${process.pid}.tmp`;
    await writeFile(temp, serializeKeySet(rotated), { mode: 0o600 });
    await chmod(temp, 0o600); // writeFile's mode is masked by the umask
    await rename(temp, this.path);
    return rotated;
  }

  private async read(): Promise<KeySet | null> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    const set = parseKeySet(text);
    if (!set) throw new Error(`${this.path} does not hold a Stratus key set: move it away and a new one is created on the next start`);
    return set;
  }
}
