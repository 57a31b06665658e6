import { OciError } from '../../oci/errors';
import { parseName, parseReference, parseTag } from '../../oci/names';
import type { ManifestRecord } from '../../ports/metadata-store';
import type { RegistryDeps } from '../config';
import type { ManifestService } from '../manifests/manifest-service';
import { contentLength, readBody } from '../http/request-parts';
import type { Route } from '../http/router';
import { emptyResponse, RegistryResponse } from '../http/types';
import { NEEDS } from '../../auth/authorizer';

/** GET, HEAD, PUT and DELETE of /v2/<name>/manifests/<reference>. */
export function manifestRoutes(deps: RegistryDeps, manifests: ManifestService): Route {
  const limit = deps.config.maxManifestBytes;
  const tooLarge = () => new OciError('MANIFEST_TOO_LARGE', `manifest is larger than ${limit} bytes`, { detail: { limit } });
  return {
    name: 'manifest',
    pattern: /^\/v2\/(.+)\/manifests\/([^/]+)$/,
    params: ['name', 'reference'],
    access: { HEAD: NEEDS.pull, GET: NEEDS.pull, PUT: NEEDS.push, DELETE: NEEDS.delete },
    methods: {
      HEAD: async (_req, p) => {
        const record = await manifests.resolve(parseName(p.name!), parseReference(p.reference!));
        return { status: 200, headers: manifestHeaders(record) };
      },
      GET: async (_req, p) => {
        const record = await manifests.resolve(parseName(p.name!), parseReference(p.reference!));
        return { status: 200, headers: manifestHeaders(record), body: await manifests.body(record) };
      },
      PUT: async (req, p) => {
        const repository = parseName(p.name!);
        const ref = parseReference(p.reference!);
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
      },
      DELETE: async (_req, p) => {
        await manifests.delete(parseName(p.name!), parseReference(p.reference!));
        return emptyResponse(202);
      },
    },
  };
}

function manifestHeaders(record: ManifestRecord): RegistryResponse['headers'] {
  return {
    'content-type': record.mediaType,
    'content-length': String(record.size),
    'docker-content-digest': record.digest,
    etag: `"${record.digest}"`,
  };
}
