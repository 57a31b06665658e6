import { OciError } from '../../oci/errors';
import { parseName, parseReference, parseTag } from '../../oci/names';
import type { ManifestRecord } from '../../ports/manifest-store';
import { contentLength, readBody } from '../http/request-parts';
import { emptyResponse, RegistryResponse } from '../../shared/http-types';
import { pullRecorderOf } from '../retention/pull-recorder';
import type { RouteCall } from '../services';

/** HEAD /v2/<name>/manifests/<reference>: the manifest's headers, no body. */
export async function headManifest({ manifests, params }: RouteCall): Promise<RegistryResponse> {
  const record = await manifests.resolve(parseName(params.name!), parseReference(params.reference!));
  return { status: 200, headers: manifestHeaders(record) };
}

/**
 * GET /v2/<name>/manifests/<reference>: a pull, whose time is recorded for retention (at most once an hour per
 * manifest, after the answer). A HEAD is not a pull: docker HEADs a tag to check for updates without pulling.
 */
export async function getManifest({ deps, manifests, params }: RouteCall): Promise<RegistryResponse> {
  const repository = parseName(params.name!);
  const record = await manifests.resolve(repository, parseReference(params.reference!));
  const body = await manifests.body(record);
  pullRecorderOf(deps).pulled(repository, record.digest);
  return { status: 200, headers: manifestHeaders(record), body };
}

/** PUT /v2/<name>/manifests/<reference>, with any `?tag=` to add. */
export async function putManifest({ deps, manifests, req, params }: RouteCall): Promise<RegistryResponse> {
  const limit = deps.config.maxManifestBytes;
  const tooLarge = () => new OciError('MANIFEST_TOO_LARGE', `manifest is larger than ${limit} bytes`, { detail: { limit } });
  const repository = parseName(params.name!);
  const ref = parseReference(params.reference!);
  const tags = req.query.getAll('tag').map(parseTag);
  const declared = contentLength(req);
  if (declared !== undefined && declared > limit) throw tooLarge();
  const body = await readBody(req, limit, tooLarge);
  const record = await manifests.put(repository, ref, tags, body, req.headers['content-type']);
  const headers: Record<string, string> = {
    location: `/v2/${repository}/manifests/${record.digest}`,
    'docker-content-digest': record.digest,
  };
  if (record.subject) headers['oci-subject'] = record.subject;
  return emptyResponse(201, headers);
}

/** DELETE /v2/<name>/manifests/<reference>. */
export async function deleteManifest({ manifests, params }: RouteCall): Promise<RegistryResponse> {
  await manifests.delete(parseName(params.name!), parseReference(params.reference!));
  return emptyResponse(202);
}

function manifestHeaders(record: ManifestRecord): RegistryResponse['headers'] {
  return {
    'content-type': record.mediaType,
    'content-length': String(record.size),
    'docker-content-digest': record.digest,
    etag: `"${record.digest}"`,
  };
}
