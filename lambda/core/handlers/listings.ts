import { parseDigest } from '../../oci/digest';
import { OciError } from '../../oci/errors';
import { MediaType } from '../../oci/media-types';
import { parseName } from '../../oci/names';
import type { Caller } from '../../auth/caller';
import { isSealedCursor, openCursor, sealCursor } from '../catalog/catalog-cursor';
import { visibleRepositories } from '../catalog/visible-repositories';
import type { RegistryDeps } from '../config';
import { nextLink, pageParams } from '../http/request-parts';
import { jsonResponse, RegistryResponse } from '../../shared/http-types';
import type { RouteCall } from '../services';

/** GET /v2/: the API version check every client starts with. */
export async function apiVersion(): Promise<RegistryResponse> {
  return jsonResponse(200, {});
}

/** GET /v2/<name>/tags/list with n/last pagination. */
export async function listTags({ deps, req, params }: RouteCall): Promise<RegistryResponse> {
  const repository = parseName(params.name!);
  const { n, last } = pageParams(req, deps.config.maxPageSize);
  const page = await deps.meta.listTags(repository, n, last);
  if (page.items.length === 0 && !last && !(await deps.meta.repositoryExists(repository))) {
    throw new OciError('NAME_UNKNOWN', `repository ${repository} not found`, { detail: { name: repository } });
  }
  const headers: Record<string, string> = {};
  if (page.more) headers.link = nextLink(`/v2/${repository}/tags/list`, n, page.items[page.items.length - 1]!);
  return jsonResponse(200, { name: repository, tags: page.items }, headers);
}

/**
 * GET /v2/_catalog with n/last pagination, showing only what the caller may pull. A page may be short
 * (see visibleRepositories); when it continues after a name the caller may not see, the Link carries
 * that name sealed (catalog-cursor), never in the clear.
 */
export async function listCatalog({ deps, req, caller }: RouteCall): Promise<RegistryResponse> {
  const { n, last } = pageParams(req, deps.config.maxPageSize);
  const after = last !== undefined && isSealedCursor(last) ? openCursor(await deps.auth?.keys(), last) : last;
  const page = await visibleRepositories(deps, caller, n, after);
  const headers: Record<string, string> = {};
  if (page.continueAfter !== undefined) headers.link = nextLink('/v2/_catalog', n, await continuation(deps, caller, page.continueAfter));
  return jsonResponse(200, { repositories: page.items }, headers);
}

/** GET /v2/<name>/referrers/<digest>: an index of the manifests whose subject is the digest. */
export async function listReferrers({ manifests, req, params }: RouteCall): Promise<RegistryResponse> {
  const repository = parseName(params.name!);
  const subject = parseDigest(params.digest!);
  const artifactType = req.query.get('artifactType') ?? undefined;
  const descriptors = await manifests.referrers(repository, subject.value, artifactType);
  const index = { schemaVersion: 2, mediaType: MediaType.OCI_INDEX, manifests: descriptors };
  const headers: Record<string, string> = { 'content-type': MediaType.OCI_INDEX };
  if (artifactType) headers['oci-filters-applied'] = 'artifactType';
  return jsonResponse(200, index, headers);
}

/** The `last` of the next page: the name itself when the caller may see it, else sealed. */
async function continuation(deps: RegistryDeps, caller: Caller, name: string): Promise<string> {
  // Without auth every caller sees every name: nothing to seal.
  return caller.listable(name) || !deps.auth ? name : sealCursor(await deps.auth.keys(), name);
}
