import { parseName } from '../../oci/names';
import type { BlobRecord, UploadSession } from '../../ports/metadata-store';
import type { RegistryDeps } from '../config';
import { contentLength, contentRange } from '../http/request-parts';
import type { Route } from '../http/router';
import { emptyResponse, RegistryRequest, RegistryResponse } from '../http/types';
import { BodyInput, uploadLocation, UploadService } from '../uploads/upload-service';

/** POST /v2/<name>/blobs/uploads/: start a session, upload monolithically, or mount from another repository. */
export function uploadStartRoute(deps: RegistryDeps, uploads: UploadService): Route {
  return {
    name: 'blob upload start',
    pattern: /^\/v2\/(.+)\/blobs\/uploads\/?$/,
    params: ['name'],
    methods: {
      POST: async (req, p) => {
        const repository = parseName(p.name!);
        const mount = req.query.get('mount');
        const from = req.query.get('from');
        if (mount && from) {
          const record = await uploads.mount(repository, mount, parseName(from));
          if (record) return created(repository, record);
        }
        const digest = req.query.get('digest');
        if (digest !== null) return created(repository, await uploads.monolithic(repository, digest, bodyInput(req)));
        return sessionResponse(deps, 202, await uploads.start(repository));
      },
    },
  };
}

/** GET (status), PATCH (chunk), PUT (complete) and DELETE (cancel) of /v2/<name>/blobs/uploads/<id>. */
export function uploadSessionRoute(deps: RegistryDeps, uploads: UploadService): Route {
  return {
    name: 'blob upload',
    pattern: /^\/v2\/(.+)\/blobs\/uploads\/([^/]+)$/,
    params: ['name', 'id'],
    methods: {
      GET: async (_req, p) => sessionResponse(deps, 204, await uploads.get(parseName(p.name!), p.id!)),
      PATCH: async (req, p) => sessionResponse(deps, 202, await uploads.append(parseName(p.name!), p.id!, bodyInput(req))),
      PUT: async (req, p) => {
        const repository = parseName(p.name!);
        return created(repository, await uploads.complete(repository, p.id!, req.query.get('digest'), bodyInput(req)));
      },
      DELETE: async (_req, p) => {
        await uploads.cancel(parseName(p.name!), p.id!);
        return emptyResponse(204);
      },
    },
  };
}

function bodyInput(req: RegistryRequest): BodyInput {
  return { body: req.body, length: contentLength(req), range: contentRange(req) };
}

function sessionResponse(deps: RegistryDeps, status: number, session: UploadSession): RegistryResponse {
  return emptyResponse(status, {
    location: uploadLocation(deps.config.uploadBaseUrl, session.repository, session.id),
    range: `0-${Math.max(session.offset - 1, 0)}`,
    'docker-upload-uuid': session.id,
    'oci-chunk-min-length': String(deps.config.chunkMinLength),
  });
}

function created(repository: string, record: BlobRecord): RegistryResponse {
  return emptyResponse(201, {
    location: `/v2/${repository}/blobs/${record.digest}`,
    'docker-content-digest': record.digest,
  });
}
