import { createHash } from 'node:crypto';
import {
  UpstreamBlob, UpstreamManifest, UpstreamManifestHead, UpstreamRegistry, UpstreamUnavailableError,
} from '../../../../lambda/ports/upstream-registry';

const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** An upstream registry in memory for unit tests: repositories, a call log, and switches to fail or lie. */
export class FakeUpstream implements UpstreamRegistry {
  readonly manifests = new Map<string, UpstreamManifest>(); // `${name}@${digest}`
  readonly tags = new Map<string, string>(); // `${name}:${tag}` -> digest
  readonly blobs = new Map<string, Uint8Array>(); // `${name}@${digest}`
  readonly calls: string[] = [];
  down = false;
  /** Blob bodies and manifests are sent with their last byte changed. */
  lying = false;
  /** HEADs send no Docker-Content-Digest. */
  noDigestHeader = false;

  constructor(readonly url = 'http://upstream.test') {}

  /** Adds a blob to a repository; returns its digest. */
  addBlob(name: string, bytes: Uint8Array): string {
    const digest = sha256(bytes);
    this.blobs.set(`${name}@${digest}`, bytes);
    return digest;
  }

  /** Adds a manifest (and a tag for it); returns its digest. */
  addManifest(name: string, doc: object, tag?: string): string {
    const bytes = Buffer.from(JSON.stringify(doc));
    const digest = sha256(bytes);
    this.manifests.set(`${name}@${digest}`, { bytes, mediaType: (doc as { mediaType: string }).mediaType, digest });
    if (tag) this.tags.set(`${name}:${tag}`, digest);
    return digest;
  }

  /** An image of one config and one layer, tagged; returns its digests. */
  addImage(name: string, tag: string, layer = Buffer.from(`layer of ${name}:${tag}`)) {
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', tag }));
    const configDigest = this.addBlob(name, config);
    const layerDigest = this.addBlob(name, layer);
    const manifest = this.addManifest(name, {
      schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layerDigest, size: layer.length }],
    }, tag);
    return { manifest, config: configDigest, layer: layerDigest, layerBytes: layer };
  }

  count(prefix: string): number {
    return this.calls.filter((c) => c.startsWith(prefix)).length;
  }

  async headManifest(name: string, reference: string): Promise<UpstreamManifestHead | null> {
    this.called(`HEAD manifest ${name}:${reference}`);
    const m = this.manifest(name, reference);
    if (!m) return null;
    return { digest: this.noDigestHeader ? undefined : m.digest, mediaType: m.mediaType, size: m.bytes.length };
  }

  async getManifest(name: string, reference: string): Promise<UpstreamManifest | null> {
    this.called(`GET manifest ${name}:${reference}`);
    const m = this.manifest(name, reference);
    if (!m) return null;
    return this.lying ? { ...m, bytes: corrupt(m.bytes) } : m;
  }

  async headBlob(name: string, digest: string): Promise<{ size: number } | null> {
    this.called(`HEAD blob ${name}@${digest}`);
    const b = this.blobs.get(`${name}@${digest}`);
    return b ? { size: b.length } : null;
  }

  async getBlob(name: string, digest: string): Promise<UpstreamBlob | null> {
    this.called(`GET blob ${name}@${digest}`);
    const b = this.blobs.get(`${name}@${digest}`);
    if (!b) return null;
    const bytes = this.lying ? corrupt(b) : b;
    let cancelled = false;
    return {
      size: bytes.length,
      body: (async function* () {
        for (let i = 0; i < bytes.length && !cancelled; i += 1000) yield bytes.subarray(i, i + 1000);
      })(),
      cancel: async () => { cancelled = true; },
    };
  }

  private manifest(name: string, reference: string): UpstreamManifest | undefined {
    const digest = reference.includes(':') ? reference : this.tags.get(`${name}:${reference}`);
    return digest ? this.manifests.get(`${name}@${digest}`) : undefined;
  }

  private called(what: string): void {
    this.calls.push(what);
    if (this.down) throw new UpstreamUnavailableError(this.url, 'connection refused', 7);
  }
}

function corrupt(bytes: Uint8Array): Uint8Array {
  const copy = Buffer.from(bytes);
  copy[copy.length - 1] ^= 1;
  return copy;
}
