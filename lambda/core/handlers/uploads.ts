import { parseName } from '../../oci/names';
import type { BlobRecord, UploadSession } from '../../ports/metadata-store';
import type { RegistryDeps } from '../config';
import { contentLength, contentRange } from '../http/request-parts';
import type { Route, RouteContext } from '../http/router';
import { emptyResponse, RegistryRequest, RegistryResponse } from '../http/types';
import { SessionLocks } from '../uploads/session-locks';
import { BodyInput, uploadLocation, UploadService } from '../uploads/upload-service';
import { NEEDS } from '../../auth/authorizer';

/** POST /v2/<name>/blobs/uploads/: start a session, upload monolithically, or mount from another repository. */
export function uploadStartRoute(deps: RegistryDeps, uploads: UploadService): Route {
  return {
    name: 'blob upload start',
    pattern: /^\/v2\/(.+)\/blobs\/uploads\/?$/,
    params: ['name'],
    access: { POST: NEEDS.push },
    methods: {
      POST: async (req, p, ctx) => {
        const repository = parseName(p.name!);
        const mount = req.query.get('mount');
        const from = req.query.get('from');
        // Mounting needs pull on `from`; without it, a normal session starts (as distribution does).
        if (mount && from && ctx.caller.actions(parseName(from)).includes('pull')) {
          const record = await uploads.mount(repository, mount, parseName(from));
          if (record) return created(repository, record);
        }
        const digest = req.query.get('digest');
        if (digest !== null) return created(repository, await uploads.monolithic(repository, digest, bodyInput(req)));
        return sessionResponse(deps, 202, await uploads.start(repository, ctx.caller.subject));
      },
    },
  };
}

/**
 * GET (status), PATCH (chunk), PUT (complete) and DELETE (cancel) of /v2/<name>/blobs/uploads/<id>.
 * Chunks and completions of one session run one at a time in this process (see SessionLocks).
 */
export function uploadSessionRoute(deps: RegistryDeps, uploads: UploadService): Route {
  const locks = new SessionLocks();
  return {
    name: 'blob upload',
    pattern: /^\/v2\/(.+)\/blobs\/uploads\/([^/]+)$/,
    params: ['name', 'id'],
    access: { GET: NEEDS.uploadSession, PATCH: NEEDS.uploadSession, PUT: NEEDS.uploadSession, DELETE: NEEDS.uploadSession },
    methods: {
      GET: async (_req, p, ctx) => sessionResponse(deps, 204, await uploads.get(parseName(p.name!), p.id!, actingAs(ctx))),
      PATCH: async (req, p, ctx) => {
        const repository = parseName(p.name!);
        const input = bodyInput(req);
        return sessionResponse(deps, 202, await locks.run(p.id!, () => uploads.append(repository, p.id!, input, actingAs(ctx))));
      },
      PUT: async (req, p, ctx) => {
        const repository = parseName(p.name!);
        const input = bodyInput(req);
        return created(repository, await locks.run(p.id!, () => uploads.complete(repository, p.id!, req.query.get('digest'), input, actingAs(ctx))));
      },
      DELETE: async (_req, p, ctx) => {
        await uploads.cancel(parseName(p.name!), p.id!, actingAs(ctx));
        return emptyResponse(204);
      },
    },
  };
}

/** Whose session a request may touch: its credentials' subject; none (the session id is the capability) when it has none. */
function actingAs(ctx: RouteContext): string | undefined {
  return ctx.caller.credentials === 'none' ? undefined : ctx.caller.subject;
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
