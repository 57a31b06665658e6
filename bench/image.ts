/**
 * The work the bench pushes and pulls, made once and cached under .stratus/bench-cache/<mode>: a synthetic
 * image of three layers of random data and a single big layer. Each layer is a valid uncompressed tar (one
 * file of random bytes) so that the Docker engine can also load and extract it; the image is also written
 * as an OCI layout (blobs hard-linked) for skopeo.
 */
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, createWriteStream, existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { BIG_LAYER_MB, LAYER_MB, MODE, OCI_CONFIG, OCI_LAYER, OCI_MANIFEST, ROOT } from './settings';

/** A blob on disk. */
export interface Blob { path: string; digest: string; size: number }
/** An image: its layers on disk, config and manifest in memory. */
export interface Image { layers: Blob[]; config: Buffer; configDigest: string; manifest: Buffer }

const CACHE = join(ROOT, '.stratus/bench-cache', `${MODE}-tar`);

/** Writes a tar of exactly `mb` MiB holding one file of random bytes, hashing it on the way. */
async function randomTarLayer(path: string, mb: number, name: string): Promise<Blob> {
  const size = mb * 2 ** 20;
  const content = size - 512 - 1024; // header, file (a multiple of 512: no padding), end-of-archive blocks
  const header = Buffer.alloc(512);
  header.write(name, 0, 'utf8');
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(`${content.toString(8).padStart(11, '0')}\0`, 124);
  header.write('00000000000\0', 136);
  header.write('        ', 148); // checksum field counts as spaces while summing
  header.write('0', 156);
  header.write('ustar\x0000', 257, 'binary');
  let sum = 0;
  for (const b of header) sum += b;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const out = createWriteStream(path);
  const hash = createHash('sha256');
  const write = async (chunk: Buffer) => { hash.update(chunk); if (!out.write(chunk)) await once(out, 'drain'); };
  await write(header);
  for (let left = content; left > 0; left -= 1 << 20) await write(randomBytes(Math.min(left, 1 << 20)));
  await write(Buffer.alloc(1024));
  out.end();
  await once(out, 'close');
  return { path, digest: `sha256:${hash.digest('hex')}`, size };
}

async function cachedLayers(key: string, mbs: number[]): Promise<Blob[]> {
  mkdirSync(CACHE, { recursive: true });
  const indexFile = join(CACHE, `${key}.json`);
  if (existsSync(indexFile)) {
    const layers = JSON.parse(readFileSync(indexFile, 'utf8')) as Blob[];
    if (layers.length === mbs.length && layers.every((l, i) => existsSync(l.path) && l.size === mbs[i]! * 2 ** 20)) return layers;
  }
  const layers: Blob[] = [];
  for (const [i, mb] of mbs.entries()) layers.push(await randomTarLayer(join(CACHE, `${key}-${i}.tar`), mb, `${key}-${i}.bin`));
  writeFileSync(indexFile, JSON.stringify(layers, null, 2));
  return layers;
}

function imageOf(layers: Blob[]): Image {
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

/** The synthetic image: three random layers (LAYER_MB). */
export async function syntheticImage(): Promise<Image> {
  return imageOf(await cachedLayers('layer', LAYER_MB));
}

/** The big single-layer image (BIG_LAYER_MB). */
export async function bigImage(): Promise<Image> {
  return imageOf(await cachedLayers('big', [BIG_LAYER_MB]));
}

/** The image as an OCI layout (tag "latest") in the cache, for skopeo's `oci:<dir>:latest`. */
export function ociLayout(image: Image, name: string): string {
  const dir = join(CACHE, `oci-${name}`);
  rmSync(dir, { recursive: true, force: true });
  const blobs = join(dir, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const put = (digest: string, body: Buffer) => writeFileSync(join(blobs, digest.slice('sha256:'.length)), body);
  for (const l of image.layers) {
    const target = join(blobs, l.digest.slice('sha256:'.length));
    try { linkSync(l.path, target); } catch { copyFileSync(l.path, target); }
  }
  put(image.configDigest, image.config);
  const manifestDigest = sha256(image.manifest);
  put(manifestDigest, image.manifest);
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(join(dir, 'index.json'), JSON.stringify({
    schemaVersion: 2,
    manifests: [{ mediaType: OCI_MANIFEST, digest: manifestDigest, size: image.manifest.length, annotations: { 'org.opencontainers.image.ref.name': 'latest' } }],
  }));
  return dir;
}

/** `sha256:<hex>` of some bytes. */
export const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
