import { OciError } from '../../oci/errors';
import { isTag } from '../../oci/names';
import type { TagSummary } from '../../ports/manifest-store';
import { jsonResponse, RegistryResponse } from '../../shared/http-types';
import type { RouteCall } from '../services';
import { lastParam, pageSize, repositoryParam, searchParam } from './query-params';
import { repositoryUnknown, uiViewer, visibleRepository } from './ui-auth';

/** One row of a repository's tag table. */
export interface TagRow {
  tag: string;
  digest: string;
  mediaType: string;
  /** Bytes of the config and layers (an index: the sum over its children); the manifest's own size for tags pushed before summaries. */
  size: number;
  /** `os/architecture[/variant]`; [] when unknown. */
  platforms: string[];
  pushedAt: number | null;
  lastPulledAt: number | null;
}

/**
 * GET /ui/api/tags?repository=&n=&last=&q=: a page of tags with their summaries, as stored at push time:
 * one Query and one BatchGet, no manifest or blob read per row.
 */
export async function uiTags(call: RouteCall): Promise<RegistryResponse> {
  const { deps, req } = call;
  const viewer = await uiViewer(call);
  const repository = visibleRepository(viewer, repositoryParam(req));
  const n = pageSize(req, 1000, 100);
  const last = lastParam(req);
  if (last !== undefined && !isTag(last)) throw new OciError('TAG_INVALID', `last is not a tag: ${last.slice(0, 140)}`);
  const page = await deps.meta.listTagSummaries(repository, n, last, searchParam(req));
  // Only an empty first page costs the extra read that tells an empty repository from none.
  if (page.items.length === 0 && last === undefined && !(await deps.meta.repositoryExists(repository))) throw repositoryUnknown(repository);
  const tags = page.items.map(rowOf);
  const next = page.more ? tags[tags.length - 1]!.tag : null;
  return jsonResponse(200, { repository, tags, next });
}

function rowOf(t: TagSummary): TagRow {
  return {
    tag: t.tag, digest: t.digest,
    mediaType: t.summary?.mediaType ?? t.manifest?.mediaType ?? '',
    size: t.summary?.size ?? t.manifest?.size ?? 0,
    platforms: t.summary?.platforms ?? [],
    pushedAt: t.pushedAt ?? null,
    lastPulledAt: t.lastPulledAt ?? null,
  };
}
