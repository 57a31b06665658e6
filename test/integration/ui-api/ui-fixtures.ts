/** Pushes what the UI API tests look at (images with a platform in their config, an index, referrers) and calls the UI API. */
import { randomUUID } from 'node:crypto';
import { Descriptor, MT, PushedManifest, randomBytes, RegistryClient } from '../http/client';

/** A UI API answer: status, headers and the JSON body (null when there is none). */
export interface UiAnswer<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** Calls /ui/api/<path> with an optional Bearer token and JSON body. */
export async function ui<T = any>(
  client: RegistryClient, method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<UiAnswer<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await client.fetch(`/ui/api/${path}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

/** The query string of a UI API call. */
export function qs(params: Record<string, string | number>): string {
  return new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)])).toString();
}

/** An image pushed for a platform: its manifest, and the bytes of config + layers the summary must show. */
export interface PlatformImage extends PushedManifest {
  contentSize: number;
  config: Descriptor;
}

/** Pushes an image whose config names `platform` (os/architecture[/variant]), with `layers` random layers. */
export async function pushPlatformImage(
  client: RegistryClient, repo: string, tag: string | undefined, platform: string, extraConfig: Record<string, unknown> = {}, layerCount = 2,
): Promise<PlatformImage> {
  const [os, architecture, variant] = platform.split('/');
  const configDoc = { os, architecture, ...(variant ? { variant } : {}), rootfs: { type: 'layers', diff_ids: [] }, n: randomUUID(), ...extraConfig };
  const config = await client.pushBlob(repo, Buffer.from(JSON.stringify(configDoc)), MT.ociConfig);
  const layers: Descriptor[] = [];
  for (let i = 0; i < layerCount; i++) layers.push(await client.pushBlob(repo, randomBytes(1000 + 100 * i)));
  const pushed = await client.pushManifestJson(repo, tag, { schemaVersion: 2, mediaType: MT.ociManifest, config, layers }, MT.ociManifest);
  return { ...pushed, config, contentSize: config.size + layers.reduce((s, l) => s + l.size, 0) };
}

/** Pushes an index of images for these platforms; the images are pushed by digest first. */
export async function pushPlatformIndex(client: RegistryClient, repo: string, tag: string, platforms: string[]) {
  const images = [];
  for (const p of platforms) images.push(await pushPlatformImage(client, repo, undefined, p));
  const manifests = images.map((img, i) => {
    const [os, architecture, variant] = platforms[i]!.split('/');
    return { ...img.descriptor, platform: { os, architecture, ...(variant ? { variant } : {}) } };
  });
  const index = await client.pushManifestJson(repo, tag, { schemaVersion: 2, mediaType: MT.ociIndex, manifests }, MT.ociIndex);
  return { index, images };
}

/** Pushes an artifact (empty config, one layer) whose subject is `subject`: a signature or an SBOM. */
export async function pushReferrer(client: RegistryClient, repo: string, subject: Descriptor, artifactType: string, annotations: Record<string, string> = {}) {
  const config = await client.pushBlob(repo, Buffer.from('{}'), 'application/vnd.oci.empty.v1+json');
  const layer = await client.pushBlob(repo, randomBytes(300));
  return client.pushManifestJson(repo, undefined, {
    schemaVersion: 2, mediaType: MT.ociManifest, artifactType, config, layers: [layer],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size }, annotations,
  }, MT.ociManifest);
}
