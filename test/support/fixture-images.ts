/**
 * Pushes test content to a registry over the plain HTTP API (monolithic upload: POST then PUT ?digest=,
 * then the manifest PUT), returning every digest and byte pushed so tests can compare what comes back.
 * Three shapes: a small image (config + 2 layers of random bytes), an OCI index of two platform images,
 * and a referrer (an artifact manifest whose `subject` is another manifest).
 */
import { createHash, randomBytes } from 'node:crypto';

/** Content pushed to the registry, as a descriptor plus its exact bytes. */
export interface PushedContent {
  mediaType: string;
  digest: string;
  size: number;
  bytes: Buffer;
}

/** An image manifest with its config and layers. */
export interface PushedImage {
  repo: string;
  /** The tag it was pushed under, or undefined when pushed by digest. */
  tag?: string;
  manifest: PushedContent;
  config: PushedContent;
  layers: PushedContent[];
}

/** An index and the platform images it lists (pushed by digest). */
export interface PushedIndex {
  repo: string;
  tag: string;
  index: PushedContent;
  images: PushedImage[];
}

/** An artifact manifest pointing at `subject`, and the referrers tag-schema index listing it. */
export interface PushedReferrer {
  repo: string;
  manifest: PushedContent;
  /** The artifact's one blob. */
  blob: PushedContent;
  artifactType: string;
  /** `sha256-<hex of subject>`: the tag the OCI 1.1 fallback (registries without the referrers API) uses. */
  fallbackTag?: string;
  fallbackIndex?: PushedContent;
}

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar';
const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';
const DOCKER_LAYER = 'application/vnd.docker.image.rootfs.diff.tar.gzip';
const EMPTY_CONFIG = 'application/vnd.oci.empty.v1+json';

/** Options of {@link pushSmallImage}. */
export interface SmallImageOptions {
  /** Sizes of the random layers (default 2 layers: 2 KiB and 40 KiB). */
  layerSizes?: number[];
  /** OCI media types (default) or Docker schema 2 ones, as Docker Hub mostly serves. */
  format?: 'oci' | 'docker';
  os?: string;
  architecture?: string;
}

/** Pushes a config and random layers, then the manifest under `tag` (or by digest when tag is undefined). */
export async function pushSmallImage(url: string, repo: string, tag: string | undefined, opts: SmallImageOptions = {}): Promise<PushedImage> {
  const docker = opts.format === 'docker';
  const layers = (opts.layerSizes ?? [2048, 40 * 1024]).map((n) => content(docker ? DOCKER_LAYER : OCI_LAYER, randomBytes(n)));
  const config = content(docker ? DOCKER_CONFIG : OCI_CONFIG, json({
    architecture: opts.architecture ?? 'amd64',
    os: opts.os ?? 'linux',
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
    config: { Cmd: ['/bin/sh'] },
  }));
  for (const blob of [config, ...layers]) await pushBlob(url, repo, blob);
  const manifest = content(docker ? DOCKER_MANIFEST : OCI_MANIFEST, json({
    schemaVersion: 2, mediaType: docker ? DOCKER_MANIFEST : OCI_MANIFEST,
    config: descriptor(config), layers: layers.map(descriptor),
  }));
  await pushManifest(url, repo, tag ?? manifest.digest, manifest);
  return { repo, tag, manifest, config, layers };
}

/** Pushes two platform images (linux/amd64, linux/arm64) by digest, then an OCI index of them under `tag`. */
export async function pushIndex(url: string, repo: string, tag: string): Promise<PushedIndex> {
  const images = [
    await pushSmallImage(url, repo, undefined, { architecture: 'amd64' }),
    await pushSmallImage(url, repo, undefined, { architecture: 'arm64' }),
  ];
  const index = content(OCI_INDEX, json({
    schemaVersion: 2, mediaType: OCI_INDEX,
    manifests: images.map((img, i) => ({ ...descriptor(img.manifest), platform: { os: 'linux', architecture: i ? 'arm64' : 'amd64' } })),
  }));
  await pushManifest(url, repo, tag, index);
  return { repo, tag, index, images };
}

/**
 * Pushes an artifact (an OCI image manifest with `artifactType`, the empty config and one blob) whose
 * `subject` is `subject`, by digest. With `fallbackTag` (default true) also pushes the index under
 * `sha256-<hex>` listing it, as OCI 1.1 clients do on registries without the referrers API (distribution 2.8).
 */
export async function pushReferrer(
  url: string, repo: string, subject: PushedContent, opts: { artifactType?: string; fallbackTag?: boolean } = {},
): Promise<PushedReferrer> {
  const artifactType = opts.artifactType ?? 'application/vnd.stratus.test.sbom';
  const empty = content(EMPTY_CONFIG, Buffer.from('{}'));
  const blob = content(`${artifactType}+json`, json({ packages: [randomBytes(8).toString('hex')] }));
  for (const b of [empty, blob]) await pushBlob(url, repo, b);
  const manifest = content(OCI_MANIFEST, json({
    schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType,
    config: descriptor(empty), layers: [descriptor(blob)], subject: descriptor(subject),
  }));
  await pushManifest(url, repo, manifest.digest, manifest);
  if (opts.fallbackTag === false) return { repo, manifest, blob, artifactType };

  const fallbackTag = subject.digest.replace(':', '-');
  const fallbackIndex = content(OCI_INDEX, json({
    schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ ...descriptor(manifest), artifactType }],
  }));
  await pushManifest(url, repo, fallbackTag, fallbackIndex);
  return { repo, manifest, blob, artifactType, fallbackTag, fallbackIndex };
}

/** Monolithic blob upload: POST /blobs/uploads/, then PUT <Location>&digest= with the whole body. */
export async function pushBlob(url: string, repo: string, blob: PushedContent): Promise<void> {
  const start = await fetch(`${url}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  await expectStatus(start, 202, `POST blob upload to ${repo}`);
  const location = new URL(start.headers.get('location') ?? '', url);
  location.searchParams.set('digest', blob.digest);
  const put = await fetch(location, {
    method: 'PUT', body: blob.bytes,
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(blob.size) },
  });
  await expectStatus(put, 201, `PUT blob ${blob.digest} to ${repo}`);
}

/** PUT /v2/<repo>/manifests/<reference> with the manifest's own media type. */
export async function pushManifest(url: string, repo: string, reference: string, manifest: PushedContent): Promise<void> {
  const res = await fetch(`${url}/v2/${repo}/manifests/${reference}`, {
    method: 'PUT', body: manifest.bytes, headers: { 'content-type': manifest.mediaType },
  });
  await expectStatus(res, 201, `PUT manifest ${repo}:${reference}`);
  const digest = res.headers.get('docker-content-digest');
  if (digest && digest !== manifest.digest) throw new Error(`registry computed ${digest} for ${manifest.digest}`);
}

/** Bytes with their media type, sha256 digest and size. */
export function content(mediaType: string, bytes: Buffer): PushedContent {
  return { mediaType, bytes, size: bytes.length, digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}` };
}

/** The descriptor of pushed content (mediaType, digest, size). */
export function descriptor(c: PushedContent): { mediaType: string; digest: string; size: number } {
  return { mediaType: c.mediaType, digest: c.digest, size: c.size };
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

async function expectStatus(res: Response, status: number, what: string): Promise<void> {
  const body = await res.text();
  if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status} ${body.slice(0, 500)}`);
}

/** The small image under the name the mirror tasks use for it. */
export const pushFixtureImage = pushSmallImage;
