import { parseDigest } from '../../oci/digest';
import { OciError } from '../../oci/errors';
import { parseName } from '../../oci/names';
import type { BlobRecord } from '../../ports/metadata-store';
import type { RegistryDeps } from '../config';
import { contentRange, requestedRange } from '../http/byte-range';
import type { Route } from '../http/router';
import { emptyResponse, RegistryResponse } from '../http/types';
import { NEEDS } from '../../auth/authorizer';

/** GET (redirect to a presigned URL, or the bytes streamed), HEAD and DELETE of /v2/<name>/blobs/<digest>. */
export function blobRoutes(deps: RegistryDeps): Route {
  const linked = async (name: string, digestParam: string) => {
    const repository = parseName(name);
    const digest = parseDigest(digestParam);
    const record = await deps.meta.getLinkedBlob(repository, digest.value);
    if (!record) throw new OciError('BLOB_UNKNOWN', `blob ${digest.value} not found in ${repository}`, { detail: { digest: digest.value } });
    return record;
  };
  return {
    name: 'blob',
    pattern: /^\/v2\/(.+)\/blobs\/([^/]+)$/,
    params: ['name', 'digest'],
    access: { HEAD: NEEDS.pull, GET: NEEDS.pull, DELETE: NEEDS.delete },
    methods: {
      HEAD: async (_req, p) => {
        const record = await linked(p.name!, p.digest!);
        return emptyResponse(200, {
          'content-length': String(record.size),
          'content-type': 'application/octet-stream',
          'docker-content-digest': record.digest,
          etag: `"${record.digest}"`,
        });
      },
      GET: async (req, p, ctx) => {
        const record = await linked(p.name!, p.digest!);
        if (deps.config.blobDelivery === 'proxy') return streamed(deps, record, req.headers.range);
        // A presigned URL never outlives the token that asked for it.
        const tokenLeft = ctx.caller.expiresAt === undefined ? Infinity : ctx.caller.expiresAt - Math.floor(deps.now() / 1000);
        const ttl = Math.max(1, Math.min(deps.config.presignTtlSeconds, tokenLeft));
        const url = await deps.blobs.presignGet(record.objectKey, ttl);
        return emptyResponse(307, { location: url, 'docker-content-digest': record.digest });
      },
      DELETE: async (_req, p) => {
        const repository = parseName(p.name!);
        const digest = parseDigest(p.digest!);
        if (!(await deps.meta.unlinkBlob(repository, digest.value))) {
          throw new OciError('BLOB_UNKNOWN', `blob ${digest.value} not found in ${repository}`);
        }
        return emptyResponse(202, { 'docker-content-digest': digest.value });
      },
    },
  };
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
