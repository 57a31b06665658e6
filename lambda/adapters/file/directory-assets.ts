import { readFile } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import type { StaticAsset, StaticAssets } from '../../ports/static-assets';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/** How a DirectoryAssets reads its files. */
export interface DirectoryAssetsOptions {
  /** Read each file once and keep it (a bundle's files never change); else read on every request. */
  keepInMemory: boolean;
}

/**
 * The web UI's files read from a directory (the UI build's output). Only files under the root with a
 * known type are served; anything else is null. The files are small and few: a warm Lambda keeps them.
 */
export class DirectoryAssets implements StaticAssets {
  private readonly root: string;
  private readonly cache = new Map<string, Promise<StaticAsset | null>>();

  constructor(root: string, private readonly opts: DirectoryAssetsOptions) {
    this.root = resolve(root);
  }

  get(path: string): Promise<StaticAsset | null> {
    const file = resolve(this.root, path);
    // The core checks paths too; this is the last line: nothing outside the root, whatever it was given.
    if (!file.startsWith(this.root + sep)) return Promise.resolve(null);
    const contentType = CONTENT_TYPES[extname(file).toLowerCase()];
    if (!contentType) return Promise.resolve(null);
    const read = () => readFile(file).then((bytes): StaticAsset => ({ body: new Uint8Array(bytes), contentType }), () => null);
    if (!this.opts.keepInMemory) return read();
    let cached = this.cache.get(file);
    if (!cached) {
      cached = read();
      // A missing file is not remembered: the UI may be built after the host started.
      void cached.then((asset) => { if (!asset) this.cache.delete(file); });
      this.cache.set(file, cached);
    }
    return cached;
  }
}
