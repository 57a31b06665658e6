/**
 * Small black-box HTTP client for the integration suite: speaks to a registry only through its
 * HTTP API (global fetch, redirects never followed automatically), so the same tests run against
 * Stratus and against any other OCI registry (REGISTRY_URL).
 */
import { createHash, randomBytes as cryptoRandomBytes, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';

export const MT = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

/** What a pulling client accepts: every manifest type the suite pushes. */
export const ACCEPT_MANIFESTS = [MT.ociManifest, MT.ociIndex, MT.dockerManifest, MT.dockerList].join(', ');

/** The empty JSON blob `{}` and its well-known descriptor (OCI image spec 1.1). */
export const EMPTY_JSON = Buffer.from('{}');

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  platform?: { architecture: string; os: string };
}

export function sha256(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export function sha512(bytes: Uint8Array | string): string {
  return `sha512:${createHash('sha512').update(bytes).digest('hex')}`;
}

export function randomBytes(n: number): Buffer {
  return cryptoRandomBytes(n);
}

/** A repository name no other test (or earlier run against the same registry) uses. */
export function uniqueRepo(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;
}

export function uniqueTag(prefix = 't'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Error codes of an OCI error body (empty if the body is not one). */
export async function errorCodes(res: Response): Promise<string[]> {
  const text = await res.text();
  try {
    const body = JSON.parse(text) as { errors?: Array<{ code?: string }> };
    return (body.errors ?? []).map((e) => String(e.code));
  } catch {
    return [];
  }
}

export class RegistryClient {
  constructor(public base: string) {}

  /** Absolute URL for a path (/v2/...) or a Location header (relative or absolute). */
  resolve(location: string): string {
    return new URL(location, `${this.base}/`).toString();
  }

  /** fetch against the registry; never follows redirects. */
  fetch(pathOrUrl: string, init: RequestInit = {}): Promise<Response> {
    return fetch(this.resolve(pathOrUrl), { redirect: 'manual', ...init });
  }

  /** Location header of a response, resolved to an absolute URL. */
  location(res: Response): string {
    const loc = res.headers.get('location');
    if (!loc) throw new Error(`no Location header on ${res.status} response`);
    return this.resolve(loc);
  }

  /** Starts an upload session; returns the absolute upload URL. */
  async startUpload(repo: string): Promise<string> {
    const res = await this.fetch(`/v2/${repo}/blobs/uploads/`, { method: 'POST' });
    await res.arrayBuffer();
    if (res.status !== 202) throw new Error(`POST upload in ${repo}: ${res.status}`);
    return this.location(res);
  }

  /** `url` with `digest=<digest>` appended to its (possibly already present) query. */
  withDigest(url: string, digest: string): string {
    const u = new URL(url);
    u.searchParams.append('digest', digest);
    return u.toString();
  }

  /** PATCHes one chunk of an upload with Content-Range `<start>-<end>` (Content-Length set by fetch). */
  patchChunk(url: string, chunk: Uint8Array, start: number): Promise<Response> {
    return this.fetch(url, {
      method: 'PATCH',
      headers: { 'content-type': 'application/octet-stream', 'content-range': `${start}-${start + chunk.length - 1}` },
      body: chunk,
    });
  }

  /** Pushes a blob with POST + PUT (the flow every registry must support); returns its descriptor. */
  async pushBlob(repo: string, bytes: Uint8Array, mediaType: string = MT.ociLayer): Promise<Descriptor> {
    const digest = sha256(bytes);
    const upload = await this.startUpload(repo);
    const res = await this.fetch(this.withDigest(upload, digest), {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    await res.arrayBuffer();
    if (res.status !== 201) throw new Error(`PUT blob ${digest} in ${repo}: ${res.status}`);
    return { mediaType, digest, size: bytes.length };
  }

  /** GETs a blob, following one redirect (307 to storage) by hand; returns the final response. */
  async getBlob(repo: string, digest: string, headers: Record<string, string> = {}): Promise<Response> {
    const first = await this.fetch(`/v2/${repo}/blobs/${digest}`, { headers });
    if (first.status < 300 || first.status >= 400) return first;
    await first.arrayBuffer();
    // A redirect target is another host: no registry credentials, just the URL (and Range).
    return fetch(this.location(first), { headers, redirect: 'manual' });
  }

  async pullBlobBytes(repo: string, digest: string): Promise<Buffer> {
    const res = await this.getBlob(repo, digest);
    if (res.status !== 200) throw new Error(`GET blob ${digest} in ${repo}: ${res.status}`);
    return Buffer.from(await res.arrayBuffer());
  }

  async putManifest(repo: string, ref: string, body: Uint8Array | string, mediaType: string): Promise<Response> {
    return this.fetch(`/v2/${repo}/manifests/${ref}`, {
      method: 'PUT',
      headers: { 'content-type': mediaType },
      body,
    });
  }

  async getManifest(repo: string, ref: string, method: 'GET' | 'HEAD' = 'GET'): Promise<Response> {
    return this.fetch(`/v2/${repo}/manifests/${ref}`, { method, headers: { accept: ACCEPT_MANIFESTS } });
  }

  /**
   * Pushes a config and one random layer, then an OCI image manifest referencing them (tagged `tag`,
   * or by digest when tag is undefined). `extra` is merged into the manifest (subject, annotations...).
   */
  async pushImage(repo: string, tag?: string, extra: Record<string, unknown> = {}): Promise<PushedManifest> {
    const config = await this.pushBlob(repo, Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, n: randomUUID() })), MT.ociConfig);
    const layer = await this.pushBlob(repo, randomBytes(1024));
    const manifest = { schemaVersion: 2, mediaType: MT.ociManifest, config, layers: [layer], ...extra };
    return this.pushManifestJson(repo, tag, manifest, MT.ociManifest);
  }

  /** Pushes a manifest-like JSON document (pretty-printed, so its digest depends on the exact bytes). */
  async pushManifestJson(repo: string, tag: string | undefined, doc: object, mediaType: string): Promise<PushedManifest> {
    const bytes = Buffer.from(JSON.stringify(doc, null, 3));
    const digest = sha256(bytes);
    const res = await this.putManifest(repo, tag ?? digest, bytes, mediaType);
    const text = await res.text();
    if (res.status !== 201) throw new Error(`PUT manifest ${tag ?? digest} in ${repo}: ${res.status} ${text}`);
    return { bytes, digest, mediaType, doc, response: res, descriptor: { mediaType, digest, size: bytes.length } };
  }
}

export interface PushedManifest {
  bytes: Buffer;
  digest: string;
  mediaType: string;
  doc: object;
  descriptor: Descriptor;
  /** The PUT response (body already consumed). */
  response: Response;
}

/**
 * One HTTP/1.1 request with the path sent exactly as given (fetch normalizes `..` and `%2e%2e`).
 * Only for paths a URL parser would rewrite.
 */
export function rawRequest(base: string, method: string, rawPath: string): Promise<{ status: number; body: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: u.hostname, port: u.port, method, path: rawPath }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

export function codesOf(body: string): string[] {
  try {
    return ((JSON.parse(body) as { errors?: Array<{ code?: string }> }).errors ?? []).map((e) => String(e.code));
  } catch {
    return [];
  }
}
