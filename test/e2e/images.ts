/**
 * Test images built on this machine (no registry on the internet is reachable): a root filesystem with a
 * static busybox, packed as a tarball for `docker import` / `podman import`, or as an OCI layout via umoci.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { copyFileSync, createWriteStream, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { run } from './exec';

/** Files to place in the image, path (relative to /) -> content. */
export type Files = Record<string, string | Buffer>;

/** Builds a root filesystem directory: /bin/busybox (static), /bin/sh, plus `files`. */
export function makeRootfs(dir: string, files: Files = {}): string {
  mkdirSync(join(dir, 'bin'), { recursive: true });
  copyFileSync('/bin/busybox', join(dir, 'bin/busybox'));
  symlinkSync('busybox', join(dir, 'bin/sh'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

/** Tars a directory (numeric owners, so the layer does not depend on this machine's user names). */
export async function tarDir(dir: string, tarFile: string): Promise<string> {
  await run('tar', ['--numeric-owner', '-C', dir, '-cf', tarFile, '.']);
  return tarFile;
}

/**
 * Writes `bytes` of incompressible, reproducible data (AES-256-CTR keystream from a fixed seed, about
 * 1 GB/s) and returns its hex sha256. Random data defeats gzip, so the pushed layer is as big as the file.
 */
export async function writeRandomFile(path: string, bytes: number, seed = 'stratus-e2e'): Promise<string> {
  const key = createHash('sha256').update(seed).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  const hash = createHash('sha256');
  const out = createWriteStream(path);
  const zeros = Buffer.alloc(1 << 20);
  for (let left = bytes; left > 0; left -= zeros.length) {
    const chunk = cipher.update(left >= zeros.length ? zeros : zeros.subarray(0, left));
    hash.update(chunk);
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((ok, fail) => out.end((err?: Error | null) => (err ? fail(err) : ok())));
  return hash.digest('hex');
}

/** An OCI image layout made with umoci: one layer holding `rootfs`, tagged `tag`. */
export async function makeOciLayout(layout: string, tag: string, rootfs: string): Promise<OciLayoutInfo> {
  await run('umoci', ['init', '--layout', layout]);
  await run('umoci', ['new', '--image', `${layout}:${tag}`]);
  await run('umoci', ['insert', '--image', `${layout}:${tag}`, rootfs, '/']);
  await run('umoci', ['config', '--image', `${layout}:${tag}`, '--config.cmd', '/bin/sh']);
  return readOciLayout(layout, tag);
}

/** Digests of one tagged image in an OCI layout. */
export interface OciLayoutInfo {
  manifestDigest: string;
  configDigest: string;
  layerDigests: string[];
}

/** Reads index.json and the tagged manifest of an OCI layout. */
export function readOciLayout(layout: string, tag: string): OciLayoutInfo {
  type Desc = { digest: string; annotations?: Record<string, string> };
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: Desc[] };
  const entry = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag);
  if (!entry) throw new Error(`tag ${tag} not in ${layout}/index.json`);
  const blob = (d: string): string => readFileSync(join(layout, 'blobs', ...d.split(':')), 'utf8');
  const manifest = JSON.parse(blob(entry.digest)) as { config: Desc; layers: Desc[] };
  return {
    manifestDigest: entry.digest,
    configDigest: manifest.config.digest,
    layerDigests: manifest.layers.map((l) => l.digest),
  };
}

/** The subject an artifact refers to (OCI 1.1 `subject` field). */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

/**
 * An OCI layout holding one OCI 1.1 artifact: an image manifest with `artifactType`, the empty config,
 * one layer of `payload` and a `subject`. Written by hand: umoci and skopeo 1.9 cannot make one.
 */
export function makeArtifactLayout(
  layout: string,
  tag: string,
  artifactType: string,
  payload: string,
  subject: Descriptor,
): Descriptor {
  mkdirSync(join(layout, 'blobs', 'sha256'), { recursive: true });
  const put = (mediaType: string, bytes: string): Descriptor => {
    const hex = createHash('sha256').update(bytes).digest('hex');
    writeFileSync(join(layout, 'blobs', 'sha256', hex), bytes);
    return { mediaType, digest: `sha256:${hex}`, size: Buffer.byteLength(bytes) };
  };
  const config = put('application/vnd.oci.empty.v1+json', '{}');
  const layer = put(artifactType, payload);
  const mediaType = 'application/vnd.oci.image.manifest.v1+json';
  const body = { schemaVersion: 2, mediaType, artifactType, config, layers: [layer], subject };
  const manifest = put(mediaType, JSON.stringify(body));
  const ref = { ...manifest, annotations: { 'org.opencontainers.image.ref.name': tag } };
  writeFileSync(join(layout, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [ref] }));
  writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  return manifest;
}
