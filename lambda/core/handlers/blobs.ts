import { parseDigest } from '../../oci/digest';
import { OciError } from '../../oci/errors';
import { parseName } from '../../oci/names';
import type { BlobIndex, BlobRecord } from '../../ports/blob-index';
import type { DepsUsing, RegistryDeps } from '../config';
import { contentRange, requestedRange } from '../http/byte-range';
import { emptyResponse, RegistryResponse } from '../../shared/http-types';
import type { RouteCall } from '../services';

/**
 * How often a HEAD renews a link it finds (ms). A client that saw "exists" then has at least the grace
 * period less this to push the manifest naming the blob (README, "Never losing a push"); the grace period
 * is at least an hour, and renewing at most hourly keeps HEADs reads, not writes.
 */
export const TOUCH_INTERVAL = 60 * 60 * 1000;

/** HEAD /v2/<name>/blobs/<digest>: size and digest from metadata, no bytes. */
export async function headBlob({ deps, params }: RouteCall): Promise<RegistryResponse> {
  const record = await linked(deps, params.name!, params.digest!, { renewStale: true });
  return emptyResponse(200, {
    'content-length': String(record.size),
    'content-type': 'application/octet-stream',
    'docker-content-digest': record.digest,
    etag: `"${record.digest}"`,
  });
}

/** GET /v2/<name>/blobs/<digest>: a redirect to a presigned URL, or the bytes streamed (proxy delivery). */
export async function getBlob({ deps, req, params, caller }: RouteCall): Promise<RegistryResponse> {
  const record = await linked(deps, params.name!, params.digest!, { renewStale: false });
  if (deps.config.blobDelivery === 'proxy') return streamed(deps, record, req.headers.range);
  // A presigned URL never outlives the token that asked for it.
  const tokenLeft = caller.expiresAt === undefined ? Infinity : caller.expiresAt - Math.floor(deps.now() / 1000);
  const ttl = Math.max(1, Math.min(deps.config.presignTtlSeconds, tokenLeft));
  const url = await deps.blobs.presignGet(record.objectKey, ttl);
  return emptyResponse(307, { location: url, 'docker-content-digest': record.digest });
}

/** DELETE /v2/<name>/blobs/<digest>: unlinks the blob from the repository. */
export async function deleteBlob({ deps, params }: RouteCall): Promise<RegistryResponse> {
  const repository = parseName(params.name!);
  const digest = parseDigest(params.digest!);
  if (!(await deps.meta.unlinkBlob(repository, digest.value))) {
    throw new OciError('BLOB_UNKNOWN', `blob ${digest.value} not found in ${repository}`);
  }
  return emptyResponse(202, { 'docker-content-digest': digest.value });
}

/**
 * The repository's link to the blob, or BLOB_UNKNOWN. A link the collector condemned is rescued before
 * the answer (a 200 is a promise the blob stays for the grace period); with `renewStale`, a link not
 * renewed for TOUCH_INTERVAL is renewed too. When the collector deleted it meanwhile, BLOB_UNKNOWN.
 */
async function linked(deps: DepsUsing<BlobIndex>, name: string, digestParam: string, opts: { renewStale: boolean }): Promise<BlobRecord> {
  const repository = parseName(name);
  const digest = parseDigest(digestParam);
  const unknown = () => new OciError('BLOB_UNKNOWN', `blob ${digest.value} not found in ${repository}`, { detail: { digest: digest.value } });
  const record = await deps.meta.getLinkedBlob(repository, digest.value);
  if (!record) throw unknown();
  const now = deps.now();
  const stale = opts.renewStale && (record.touchedAt ?? 0) < now - TOUCH_INTERVAL;
  if (record.gcState !== undefined || stale) {
    if ((await deps.meta.touchLink(repository, digest.value, now, now - TOUCH_INTERVAL)) === 'gone') throw unknown();
  }
  return record;
}

/**
 * The blob's bytes (or the range asked for) streamed from the store through the registry: for clients that
 * cannot reach the store's address. Access was checked like any GET; the stream is read as the client reads.
 */
async function streamed(deps: RegistryDeps, record: BlobRecord, rangeHeader: string | undefined): Promise<RegistryResponse> {
  const range = requestedRange(rangeHeader, record.size);
  const stream = await deps.blobs.get(record.objectKey, range);
  if (!stream) throw new OciError('BLOB_UNKNOWN', `blob ${record.digest} has no bytes in storage`, { detail: { digest: record.digest } });
  const headers: Record<string, string> = {
    'content-type': 'application/octet-stream',
    'docker-content-digest': record.digest,
    etag: `"${record.digest}"`,
    'accept-ranges': 'bytes',
    'content-length': String(range ? range.end - range.start + 1 : record.size),
  };
  if (range) headers['content-range'] = contentRange(range, record.size);
  return { status: range ? 206 : 200, headers, stream };
}
