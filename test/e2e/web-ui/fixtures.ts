/**
 * The web UI tests' images, pushed straight over the registry's HTTP API (monolithic blob uploads, small
 * blobs, many manifest PUTs in parallel) so that a 2,000-tag repository takes seconds, not minutes.
 */
import { createHash } from 'node:crypto';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';
const OCI_EMPTY = 'application/vnd.oci.empty.v1+json';

/** An OCI descriptor, as manifests name their parts. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os: string; architecture: string; variant?: string };
  artifactType?: string;
  annotations?: Record<string, string>;
}

/** A pushed manifest: its digest and descriptor, and the bytes of its config when it has one. */
export interface Pushed { digest: string; descriptor: Descriptor; size: number }

/** A pushed image: also the bytes of its config and of its layer (the image's size is their sum). */
export type PushedImage = Pushed & { configSize: number; layerSize: number };

/** The artifacts' types, as the UI should show them. */
export const SIGNATURE_TYPE = 'application/vnd.dev.cosign.artifact.sig.v1+json';
export const SBOM_TYPE = 'application/spdx+json';

/** The three platforms of the index fixture, as the UI writes them. */
export const INDEX_PLATFORMS = ['linux/amd64', 'linux/arm64/v8', 'linux/s390x'];

/** The plain image's config, as the UI should show it. */
export const IMAGE_CONFIG = {
  created: '2026-03-04T05:06:07Z',
  architecture: 'amd64',
  os: 'linux',
  config: {
    Env: ['PATH=/usr/local/bin:/usr/bin', 'APP_MODE=production'],
    Labels: { 'org.opencontainers.image.source': 'https://git.example.com/team/api', maintainer: 'team-api' },
    Entrypoint: ['/usr/local/bin/api-server'],
    Cmd: ['--listen', ':8080'],
  },
  history: [
    { created: '2026-03-04T05:00:00Z', created_by: 'ADD rootfs.tar /' },
    { created: '2026-03-04T05:06:07Z', created_by: 'COPY api-server /usr/local/bin/' },
  ],
};

export const digestOf = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** Pushes over one registry's /v2 API with fixed credentials (Basic or Bearer), or none. */
export class Pusher {
  constructor(private readonly base: string, private readonly authorization?: string) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return this.authorization ? { authorization: this.authorization, ...extra } : extra;
  }

  /** One monolithic upload (POST ?digest=): one request per blob. */
  async blob(repo: string, bytes: Buffer): Promise<Descriptor & { bytes: Buffer }> {
    const digest = digestOf(bytes);
    const res = await fetch(`${this.base}/v2/${repo}/blobs/uploads/?digest=${digest}`, {
      method: 'POST', headers: this.headers({ 'content-type': 'application/octet-stream' }), body: bytes,
    });
    if (res.status !== 201) throw new Error(`blob ${repo}: ${res.status} ${await res.text()}`);
    return { mediaType: OCI_LAYER, digest, size: bytes.length, bytes };
  }

  /** PUT of a manifest or index by tag or digest. */
  async manifest(repo: string, reference: string | null, body: object): Promise<Pushed> {
    const bytes = Buffer.from(JSON.stringify(body));
    const mediaType = (body as { mediaType: string }).mediaType;
    const digest = digestOf(bytes);
    const res = await fetch(`${this.base}/v2/${repo}/manifests/${reference ?? digest}`, {
      method: 'PUT', headers: this.headers({ 'content-type': mediaType }), body: bytes,
    });
    if (res.status !== 201) throw new Error(`manifest ${repo}:${reference}: ${res.status} ${await res.text()}`);
    const descriptor: Descriptor = { mediaType, digest, size: bytes.length };
    const artifactType = (body as { artifactType?: string }).artifactType;
    if (artifactType) descriptor.artifactType = artifactType;
    return { digest, descriptor, size: bytes.length };
  }

  /** An image: one layer of `layerBytes`, and `config` as its config blob. */
  async image(repo: string, reference: string | null, config: object, layerBytes: Buffer, annotations?: Record<string, string>): Promise<PushedImage> {
    const layer = await this.blob(repo, layerBytes);
    const cfg = await this.blob(repo, Buffer.from(JSON.stringify(config)));
    const pushed = await this.manifest(repo, reference, {
      schemaVersion: 2, mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: cfg.digest, size: cfg.size },
      layers: [{ mediaType: OCI_LAYER, digest: layer.digest, size: layer.size }],
      ...(annotations ? { annotations } : {}),
    });
    return { ...pushed, configSize: cfg.size, layerSize: layer.size };
  }
}

/** Runs `jobs` with at most `width` at once. */
export async function inParallel<T>(count: number, width: number, job: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      results[i] = await job(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, count) }, worker));
  return results;
}

/** The tag names of the big repository, in the order the registry lists them (lexical). */
export const bigTag = (i: number): string => `1.${String(i).padStart(4, '0')}`;

/**
 * `count` tags in one repository over `distinct` manifests (one shared layer and config; an annotation makes
 * each digest distinct; tag i names manifest i % distinct), pushed `width` at a time: first each manifest
 * once, then the other tags (a PUT of a body the registry already holds costs about half as much).
 */
export async function pushManyTags(p: Pusher, repo: string, count: number, distinct = 100, width = 16): Promise<{ ms: number; digests: string[] }> {
  const started = Date.now();
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', created: '2026-01-01T00:00:00Z', rootfs: { type: 'layers', diff_ids: [] } }));
  const layer = Buffer.alloc(4096, 7);
  await Promise.all([p.blob(repo, config), p.blob(repo, layer)]);
  const manifestOf = (i: number) => ({
    schemaVersion: 2, mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: digestOf(config), size: config.length },
    layers: [{ mediaType: OCI_LAYER, digest: digestOf(layer), size: layer.length }],
    annotations: { 'org.example.build': String(i % distinct) },
  });
  const first = await inParallel(Math.min(distinct, count), width, (i) => p.manifest(repo, bigTag(i), manifestOf(i)));
  await inParallel(count - first.length, width, (i) => p.manifest(repo, bigTag(i + first.length), manifestOf(i + first.length)));
  return { ms: Date.now() - started, digests: first.map((m) => m.digest) };
}

/** The index fixture: 3 platform images under `tag`, a signature and an SBOM referring to the index. */
export interface IndexFixture {
  index: Pushed;
  children: Array<PushedImage & { platform: string }>;
  signature: Pushed;
  sbom: Pushed;
}

/** Pushes the multi-platform index with its two referrers. */
export async function pushIndexWithReferrers(p: Pusher, repo: string, tag: string): Promise<IndexFixture> {
  const platforms = [
    { os: 'linux', architecture: 'amd64' },
    { os: 'linux', architecture: 'arm64', variant: 'v8' },
    { os: 'linux', architecture: 's390x' },
  ];
  const children = await Promise.all(platforms.map(async (platform, i) => {
    const name = [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
    const config = { ...platform, created: '2026-02-01T00:00:00Z', config: { Labels: { platform: name } }, rootfs: { type: 'layers', diff_ids: [] } };
    const pushed = await p.image(repo, null, config, Buffer.alloc(1024 * (i + 1), i + 1));
    return { ...pushed, platform: name, descriptor: { ...pushed.descriptor, platform } };
  }));
  const index = await p.manifest(repo, tag, {
    schemaVersion: 2, mediaType: OCI_INDEX, manifests: children.map((c) => c.descriptor),
  });
  const empty = await p.blob(repo, Buffer.from('{}'));
  const artifact = async (artifactType: string, body: string, annotations: Record<string, string>) => {
    const payload = await p.blob(repo, Buffer.from(body));
    return p.manifest(repo, null, {
      schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType,
      config: { mediaType: OCI_EMPTY, digest: empty.digest, size: empty.size },
      layers: [{ mediaType: artifactType, digest: payload.digest, size: payload.size }],
      subject: { mediaType: index.descriptor.mediaType, digest: index.digest, size: index.size },
      annotations,
    });
  };
  const signature = await artifact(SIGNATURE_TYPE, JSON.stringify({ critical: { image: { 'docker-manifest-digest': index.digest } } }),
    { 'org.opencontainers.image.created': '2026-02-02T00:00:00Z', 'dev.cosignproject.cosign/signature': 'MEUCIQDfixture' });
  const sbom = await artifact(SBOM_TYPE, JSON.stringify({ spdxVersion: 'SPDX-2.3', name: 'fixture' }),
    { 'org.opencontainers.image.created': '2026-02-03T00:00:00Z', 'org.example.sbom.format': 'spdx' });
  return { index, children, signature, sbom };
}

/** Pushes the plain image (IMAGE_CONFIG) under `tag`. */
export function pushPlainImage(p: Pusher, repo: string, tag: string): Promise<PushedImage> {
  return p.image(repo, tag, IMAGE_CONFIG, Buffer.alloc(20_000, 3));
}
