import { parseName } from '../../oci/names';
import type { BlobRecord, UploadSession } from '../../ports/metadata-store';
import type { RegistryDeps } from '../config';
import { contentLength, contentRange } from '../http/request-parts';
import type { Route, RouteContext } from '../http/router';
import { emptyResponse, RegistryRequest, RegistryResponse } from '../http/types';
import { SessionLocks } from '../uploads/session-locks';
import { SESSION_SECRET_PARAM, SessionAccess, uploadLocation } from '../uploads/session-access';
import { BodyInput, UploadService } from '../uploads/upload-service';
import { NEEDS } from '../../auth/authorizer';

/** POST /v2/<name>/blobs/uploads/: start a session, upload monolithically, or mount from another repository. */
export function uploadStartRoute(deps: RegistryDeps, uploads: UploadService): Route {
  return {
    name: 'blob upload start',
    pattern: /^\/v2\/(.+)\/blobs\/uploads\/?$/,
    params: ['name'],
    access: { POST: NEEDS.startUpload },
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
      GET: async (req, p, ctx) => sessionResponse(deps, 204, await uploads.get(parseName(p.name!), p.id!, actingAs(deps, req, ctx))),
      PATCH: async (req, p, ctx) => {
        const repository = parseName(p.name!);
        const input = bodyInput(req);
        return sessionResponse(deps, 202, await locks.run(p.id!, () => uploads.append(repository, p.id!, input, actingAs(deps, req, ctx))));
      },
      PUT: async (req, p, ctx) => {
        const repository = parseName(p.name!);
        const input = bodyInput(req);
        return created(repository, await locks.run(p.id!, () => uploads.complete(repository, p.id!, req.query.get('digest'), input, actingAs(deps, req, ctx))));
      },
      DELETE: async (req, p, ctx) => {
        await uploads.cancel(parseName(p.name!), p.id!, actingAs(deps, req, ctx));
        return emptyResponse(204);
      },
    },
  };
}

/**
 * Which sessions a request may touch, with auth on: its creator's, by the credentials' subject; without
 * credentials (or with an anonymous token: containerd drops credentials for another upload host), the one
 * whose secret it presents. The session id alone, which request logs carry, opens nothing.
 */
function actingAs(deps: RegistryDeps, req: RegistryRequest, ctx: RouteContext): SessionAccess | undefined {
  if (!deps.auth) return undefined;
  if (ctx.caller.anonymous || ctx.caller.subject === undefined) return { secret: req.query.get(SESSION_SECRET_PARAM) };
  return { subject: ctx.caller.subject };
}

function bodyInput(req: RegistryRequest): BodyInput {
  return { body: req.body, length: contentLength(req), range: contentRange(req) };
}

function sessionResponse(deps: RegistryDeps, status: number, session: UploadSession): RegistryResponse {
  return emptyResponse(status, {
    location: uploadLocation(deps.config.uploadBaseUrl, session),
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
