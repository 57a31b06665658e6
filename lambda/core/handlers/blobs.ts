import { parseDigest } from '../../oci/digest';
import { OciError } from '../../oci/errors';
import { parseName } from '../../oci/names';
import type { RegistryDeps } from '../config';
import type { Route } from '../http/router';
import { emptyResponse } from '../http/types';
import { NEEDS } from '../../auth/authorizer';

/** GET (redirect to a presigned URL), HEAD and DELETE of /v2/<name>/blobs/<digest>. */
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
      GET: async (_req, p, ctx) => {
        const record = await linked(p.name!, p.digest!);
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
