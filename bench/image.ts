/** The synthetic image the bench pushes and pulls: three layers of random data, made once and cached. */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { LAYER_MB, MODE, OCI_CONFIG, OCI_LAYER, OCI_MANIFEST, ROOT } from './settings';



export interface Blob { path: string; digest: string; size: number }
export interface Image { layers: Blob[]; config: Buffer; configDigest: string; manifest: Buffer }

export async function syntheticImage(): Promise<Image> {
  const dir = join(ROOT, '.stratus/bench-cache', MODE);
  mkdirSync(dir, { recursive: true });
  const indexFile = join(dir, 'index.json');
  let layers: Blob[] | undefined;
  if (existsSync(indexFile)) {
    layers = JSON.parse(readFileSync(indexFile, 'utf8')) as Blob[];
    if (!layers.every((l) => existsSync(l.path))) layers = undefined;
  }
  if (!layers) {
    layers = [];
    for (const [i, mb] of LAYER_MB.entries()) {
      const path = join(dir, `layer-${i}.bin`);
      const out = createWriteStream(path);
      const hash = createHash('sha256');
      for (let written = 0; written < mb; written++) {
        const chunk = randomBytes(1 << 20);
        hash.update(chunk);
        if (!out.write(chunk)) await once(out, 'drain');
      }
      out.end();
      await once(out, 'close');
      layers.push({ path, digest: `sha256:${hash.digest('hex')}`, size: mb << 20 });
    }
    writeFileSync(indexFile, JSON.stringify(layers, null, 2));
  }
  const config = Buffer.from(JSON.stringify({
    architecture: 'amd64', os: 'linux', config: {},
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
  }));
  const configDigest = sha256(config);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: configDigest, size: config.length },
    layers: layers.map((l) => ({ mediaType: OCI_LAYER, digest: l.digest, size: l.size })),
  }));
  return { layers, config, configDigest, manifest };
}

export const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
