import { manifestKind } from '../../oci/media-types';
import { parseReference } from '../../oci/names';
import type { ManifestRecord } from '../../ports/manifest-store';
import { jsonResponse, RegistryResponse } from '../../shared/http-types';
import type { RouteCall } from '../services';
import { ConfigView, imageConfig } from './image-config';
import { repositoryParam, requiredParam } from './query-params';
import { ReferrerNode, referrerTree } from './referrer-tree';
import { uiViewer, visibleRepository } from './ui-auth';

/** Tags listed per manifest at most (a Query of the repository's tags, filtered by digest). */
const TAGS_SHOWN = 1000;

/** One child of an index, with its platform. */
export interface PlatformEntry {
  digest: string;
  mediaType: string;
  size: number;
  platform: { os: string; architecture: string; variant?: string };
}

/** What GET /ui/api/manifest answers. */
export interface ManifestView {
  repository: string;
  digest: string;
  mediaType: string;
  size: number;
  tags: string[];
  manifest: unknown;
  config: ConfigView | null;
  platforms: PlatformEntry[];
  referrers: ReferrerNode[];
  pushedAt: number | null;
  lastPulledAt: number | null;
}

/**
 * GET /ui/api/manifest?repository=&reference=: a manifest with what the page shows beside it, read
 * server-side: an image's config, an index's platforms, the referrers tree, the tags pointing at it.
 * Viewing is not pulling: lastPulledAt (retention) is not changed.
 */
export async function uiManifest(call: RouteCall): Promise<RegistryResponse> {
  const { deps, req, manifests } = call;
  const viewer = await uiViewer(call);
  const repository = visibleRepository(viewer, repositoryParam(req));
  const resolved = await manifests.resolve(repository, parseReference(requiredParam(req, 'reference')));
  // A tag's inline copy has no times: the manifest item has.
  const record: ManifestRecord = resolved.pushedAt !== undefined ? resolved : (await deps.meta.getManifest(repository, resolved.digest)) ?? resolved;
  const manifest = JSON.parse(Buffer.from(await manifests.body(record)).toString('utf8')) as Record<string, unknown>;
  const isIndex = manifestKind(record.mediaType) === 'index';
  const [config, tags, referrers] = await Promise.all([
    isIndex ? null : imageConfig(deps, repository, manifest),
    deps.meta.tagsOf(repository, record.digest, TAGS_SHOWN),
    referrerTree(manifests, repository, record.digest),
  ]);
  const view: ManifestView = {
    repository, digest: record.digest, mediaType: record.mediaType, size: record.size, tags, manifest, config,
    platforms: isIndex ? platformsOf(manifest) : [], referrers,
    pushedAt: record.pushedAt ?? null, lastPulledAt: record.lastPulledAt ?? null,
  };
  return jsonResponse(200, view);
}

function platformsOf(index: Record<string, unknown>): PlatformEntry[] {
  const entries = Array.isArray(index.manifests) ? (index.manifests as Array<Record<string, unknown>>) : [];
  return entries.map((d) => {
    const p = (d.platform ?? {}) as Record<string, unknown>;
    const platform: PlatformEntry['platform'] = { os: stringOr(p.os, 'unknown'), architecture: stringOr(p.architecture, 'unknown') };
    if (typeof p.variant === 'string' && p.variant) platform.variant = p.variant;
    return { digest: String(d.digest), mediaType: String(d.mediaType), size: Number(d.size), platform };
  });
}

function stringOr(v: unknown, fallback: string): string {
  return typeof v === 'string' && v ? v : fallback;
}
