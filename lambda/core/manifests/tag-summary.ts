import type { ParsedManifest } from '../../oci/manifest';
import { MediaType } from '../../oci/media-types';
import type { BlobIndex } from '../../ports/blob-index';
import type { BlobStore } from '../../ports/blob-store';
import type { ManifestSummary } from '../../ports/manifest-store';
import type { Logger } from '../../shared/logger';
import { readAtMost } from './read-at-most';

/** An image's config is read at push time (for its platform) only up to this size: one small S3 GET. */
export const CONFIG_READ_MAX_BYTES = 64 * 1024;
/** A push waits this long at most for the config (a stalled store must not hold pushes): then no platform. */
export const CONFIG_READ_DEADLINE_MS = 2000;

/** What a summary is computed from besides the manifest: its children's summaries and where config bytes are. */
export interface SummaryInputs {
  blobIndex: Pick<BlobIndex, 'getLinkedBlob'>;
  blobs: Pick<BlobStore, 'get'>;
  logger: Logger;
  /** The summaries of an index's children as stored (undefined for those stored before summaries). */
  children: Map<string, ManifestSummary | undefined>;
}

/**
 * The summary a listing shows of a manifest, computed once at push time: an image's size from its own
 * descriptors and its platform from its config (when at most 64 KiB; [] when unreadable, never a failed
 * push); an index's size as the sum of its children's and its platforms from its entries.
 */
export async function summarize(repository: string, body: Uint8Array, parsed: ParsedManifest, inputs: SummaryInputs): Promise<ManifestSummary> {
  const doc = JSON.parse(Buffer.from(body).toString('utf8')) as Record<string, unknown>;
  if (parsed.kind === 'index') return indexSummary(parsed.mediaType, doc, inputs.children);
  const config = descriptorOf(doc.config);
  const layers = Array.isArray(doc.layers) ? doc.layers.map(descriptorOf) : [];
  const size = (config?.size ?? 0) + layers.reduce((sum, l) => sum + (l?.size ?? 0), 0);
  const platform = config ? await withDeadline(configPlatform(repository, config, inputs), CONFIG_READ_DEADLINE_MS) : undefined;
  return { mediaType: parsed.mediaType, size, platforms: platform ? [platform] : [] };
}

function indexSummary(mediaType: string, doc: Record<string, unknown>, children: Map<string, ManifestSummary | undefined>): ManifestSummary {
  const entries = Array.isArray(doc.manifests) ? doc.manifests : [];
  let size = 0;
  const platforms: string[] = [];
  for (const entry of entries) {
    const d = descriptorOf(entry);
    if (!d) continue;
    // A child stored before summaries counts with its manifest's size: an underestimate, never an error.
    size += children.get(d.digest)?.size ?? d.size;
    const p = platformName((entry as { platform?: unknown }).platform);
    if (p && !platforms.includes(p)) platforms.push(p);
  }
  return { mediaType, size, platforms };
}

/** `os/architecture[/variant]` of a platform object; undefined for none or buildx's `unknown/unknown` (attestations). */
export function platformName(p: unknown): string | undefined {
  if (!p || typeof p !== 'object') return undefined;
  const { os, architecture, variant } = p as Record<string, unknown>;
  if (typeof os !== 'string' || typeof architecture !== 'string' || !os || !architecture) return undefined;
  if (os === 'unknown' && architecture === 'unknown') return undefined;
  return typeof variant === 'string' && variant ? `${os}/${architecture}/${variant}` : `${os}/${architecture}`;
}

async function configPlatform(repository: string, config: { digest: string; size: number; mediaType?: string }, inputs: SummaryInputs): Promise<string | undefined> {
  // An artifact's empty config (`{}`: signatures, SBOMs) names no platform: not worth a read.
  if (config.size > CONFIG_READ_MAX_BYTES || config.size < 2 || config.mediaType === MediaType.OCI_EMPTY) return undefined;
  try {
    const record = await inputs.blobIndex.getLinkedBlob(repository, config.digest);
    const stream = record ? await inputs.blobs.get(record.objectKey) : null;
    if (!stream) return undefined;
    const bytes = await readAtMost(stream, CONFIG_READ_MAX_BYTES);
    return bytes ? platformName(JSON.parse(Buffer.from(bytes).toString('utf8'))) : undefined;
  } catch (err) {
    // Not a JSON config (an artifact's), or storage failing: the push goes on without a platform.
    inputs.logger.warn('manifest summary: config not read', { repository, config: config.digest, error: (err as Error).message });
    return undefined;
  }
}

/** The promise's value, or undefined once `ms` have passed (it still runs to its end, unwaited). */
async function withDeadline<T>(work: Promise<T | undefined>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => { timer = setTimeout(() => resolve(undefined), ms); });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

function descriptorOf(v: unknown): { digest: string; size: number; mediaType?: string } | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const { digest, size, mediaType } = v as Record<string, unknown>;
  if (typeof digest !== 'string' || typeof size !== 'number') return undefined;
  return { digest, size, mediaType: typeof mediaType === 'string' ? mediaType : undefined };
}
