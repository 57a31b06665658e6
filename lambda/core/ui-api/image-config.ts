import type { BlobIndex } from '../../ports/blob-index';
import type { BlobStore } from '../../ports/blob-store';
import { readAtMost } from '../manifests/read-at-most';

/** An image config is read for display only up to this size. */
export const CONFIG_VIEW_MAX_BYTES = 1024 * 1024;

/** Config media types read: images' (an artifact's config is its own format, shown as its descriptor only). */
const IMAGE_CONFIG_TYPES = new Set<string>(['application/vnd.oci.image.config.v1+json', 'application/vnd.docker.container.image.v1+json']);

/** What the manifest view shows of an image's config. */
export interface ConfigView {
  created?: string;
  architecture?: string;
  os?: string;
  variant?: string;
  author?: string;
  config?: Record<string, unknown>;
  history?: unknown[];
}

/** The fields of a container's config shown (not, e.g., healthchecks or volumes). */
const CONTAINER_FIELDS = ['Env', 'Labels', 'Entrypoint', 'Cmd', 'WorkingDir', 'User', 'ExposedPorts', 'StopSignal'];

/**
 * An image's config, read server-side (the browser never follows a presigned URL): null for an index,
 * an artifact, a config over 1 MiB, or one that is missing or not JSON.
 */
export async function imageConfig(
  deps: { meta: Pick<BlobIndex, 'getLinkedBlob'>; blobs: Pick<BlobStore, 'get'> }, repository: string, manifest: Record<string, unknown>,
): Promise<ConfigView | null> {
  const config = manifest.config as { mediaType?: unknown; digest?: unknown; size?: unknown } | undefined;
  if (!config || typeof config.digest !== 'string' || typeof config.size !== 'number') return null;
  if (!IMAGE_CONFIG_TYPES.has(String(config.mediaType)) || config.size > CONFIG_VIEW_MAX_BYTES) return null;
  const record = await deps.meta.getLinkedBlob(repository, config.digest);
  const stream = record ? await deps.blobs.get(record.objectKey) : null;
  const bytes = stream ? await readAtMost(stream, CONFIG_VIEW_MAX_BYTES) : null;
  if (!bytes) return null;
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return null;
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return null;
  return pick(doc as Record<string, unknown>);
}

function pick(doc: Record<string, unknown>): ConfigView {
  const view: ConfigView = {};
  for (const key of ['created', 'architecture', 'os', 'variant', 'author'] as const) {
    if (typeof doc[key] === 'string') view[key] = doc[key] as string;
  }
  const container = doc.config;
  if (container && typeof container === 'object' && !Array.isArray(container)) {
    const c = container as Record<string, unknown>;
    view.config = Object.fromEntries(CONTAINER_FIELDS.filter((f) => c[f] !== undefined).map((f) => [f, c[f]]));
  }
  if (Array.isArray(doc.history)) view.history = doc.history.slice(0, 1000);
  return view;
}
