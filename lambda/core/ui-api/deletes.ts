import { parseDigest } from '../../oci/digest';
import { parseTag } from '../../oci/names';
import { emptyResponse, RegistryResponse } from '../../shared/http-types';
import type { RouteCall } from '../services';
import { repositoryParam, requiredParam } from './query-params';
import { requireAction, uiViewer } from './ui-auth';

/** DELETE /ui/api/tag?repository=&tag=: as DELETE /v2/<name>/manifests/<tag> (an immutable tag: 403 DENIED). */
export async function uiDeleteTag(call: RouteCall): Promise<RegistryResponse> {
  const viewer = await uiViewer(call);
  const repository = repositoryParam(call.req);
  requireAction(viewer, repository, 'delete');
  await call.manifests.delete(repository, { kind: 'tag', tag: parseTag(requiredParam(call.req, 'tag')) });
  return emptyResponse(204);
}

/** DELETE /ui/api/manifest?repository=&digest=: the manifest and every tag pointing at it, as the /v2 DELETE by digest. */
export async function uiDeleteManifest(call: RouteCall): Promise<RegistryResponse> {
  const viewer = await uiViewer(call);
  const repository = repositoryParam(call.req);
  requireAction(viewer, repository, 'delete');
  await call.manifests.delete(repository, { kind: 'digest', digest: parseDigest(requiredParam(call.req, 'digest')) });
  return emptyResponse(204);
}
