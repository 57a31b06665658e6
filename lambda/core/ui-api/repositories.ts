import type { Caller } from '../../auth/caller';
import { isSealedCursor, openCursor, sealCursor } from '../catalog/catalog-cursor';
import { visibleRepositories } from '../catalog/visible-repositories';
import { jsonResponse, RegistryResponse } from '../../shared/http-types';
import type { RouteCall } from '../services';
import { mapLimit } from '../../shared/map-limit';
import { lastParam, pageSize, searchParam } from './query-params';
import { uiViewer } from './ui-auth';

/** Tag counts read at once for one page of repositories (each a counting Query). */
const COUNTS_AT_ONCE = 8;

/** One row of the repository list. */
export interface RepositoryRow {
  name: string;
  tagCount: number;
}

/**
 * GET /ui/api/repositories?q=&n=&last=: the repositories the viewer may pull whose name contains q, with
 * their tag counts. A page may be short (the catalog examined per request is bounded, as for /v2/_catalog);
 * `next` continues it, sealed when it names a repository the viewer may not see.
 */
export async function uiRepositories(call: RouteCall): Promise<RegistryResponse> {
  const { deps, req } = call;
  const viewer = await uiViewer(call);
  const q = searchParam(req)?.toLowerCase();
  const n = pageSize(req, 100, 50);
  const last = lastParam(req);
  const after = last !== undefined && isSealedCursor(last) ? openCursor(await deps.auth?.keys(), last) : last;
  const searching: Caller = { ...viewer.caller, listable: (name) => viewer.caller.listable(name) && (q === undefined || name.includes(q)) };
  const page = await visibleRepositories(deps, searching, n, after);
  const counts = await mapLimit(page.items, COUNTS_AT_ONCE, (name) => deps.meta.countTags(name));
  const repositories: RepositoryRow[] = page.items.map((name, i) => ({ name, tagCount: counts[i]! }));
  let next: string | null = null;
  if (page.continueAfter !== undefined) {
    const name = page.continueAfter;
    next = !deps.auth || viewer.caller.listable(name) ? name : sealCursor(await deps.auth.keys(), name);
  }
  return jsonResponse(200, { repositories, next });
}
