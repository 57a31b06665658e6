import { OciError } from '../../oci/errors';
import { parseName, parseReference, parseTag, Reference } from '../../oci/names';
import type { ManifestRecord } from '../../ports/manifest-store';
import { contentLength, readBody } from '../http/request-parts';
import { emptyResponse, RegistryResponse } from '../../shared/http-types';
import { pullRecorderOf } from '../retention/pull-recorder';
import type { RouteCall } from '../services';

/** HEAD /v2/<name>/manifests/<reference>: the manifest's headers, no body. */
export async function headManifest(call: RouteCall): Promise<RegistryResponse> {
  const { params } = call;
  const record = await resolve(call, parseName(params.name!), parseReference(params.reference!));
  return { status: 200, headers: manifestHeaders(record) };
}

/**
 * GET /v2/<name>/manifests/<reference>: a pull, whose time is recorded for retention (at most once an hour per
 * manifest, after the answer). A HEAD is not a pull: docker HEADs a tag to check for updates without pulling.
 */
export async function getManifest(call: RouteCall): Promise<RegistryResponse> {
  const { deps, manifests, params } = call;
  const repository = parseName(params.name!);
  const record = await resolve(call, repository, parseReference(params.reference!));
  const body = await manifests.body(record);
  pullRecorderOf(deps).pulled(repository, record.digest);
  return { status: 200, headers: manifestHeaders(record), body };
}

/** PUT /v2/<name>/manifests/<reference>, with any `?tag=` to add. */
export async function putManifest({ deps, manifests, mirror, req, params }: RouteCall): Promise<RegistryResponse> {
  const limit = deps.config.maxManifestBytes;
  const tooLarge = () => new OciError('MANIFEST_TOO_LARGE', `manifest is larger than ${limit} bytes`, { detail: { limit } });
  const repository = parseName(params.name!);
  const ref = parseReference(params.reference!);
  const tags = req.query.getAll('tag').map(parseTag);
  await mirror?.refusePush(repository);
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

/**
 * The manifest a reference names. A mirrored repository's tag is resolved through the mirror (its upstream
 * is asked once per tag TTL); a digest is served from the local copy, and filled from upstream when the
 * repository is mirrored and has none. A local repository never reaches the upstream.
 */
async function resolve({ manifests, mirror }: RouteCall, repository: string, ref: Reference): Promise<ManifestRecord> {
  if (!mirror) return manifests.resolve(repository, ref);
  if (ref.kind === 'tag') return (await mirror.manifestByTag(repository, ref.tag)) ?? manifests.resolve(repository, ref);
  try {
    return await manifests.resolve(repository, ref);
  } catch (err) {
    if (!(err instanceof OciError) || err.code !== 'MANIFEST_UNKNOWN') throw err;
    const filled = await mirror.manifestByDigest(repository, ref.digest);
    if (!filled) throw err;
    return filled;
  }
}

function manifestHeaders(record: ManifestRecord): RegistryResponse['headers'] {
  return {
    'content-type': record.mediaType,
    'content-length': String(record.size),
    'docker-content-digest': record.digest,
    etag: `"${record.digest}"`,
  };
}
