import { OciError } from '../../oci/errors';
import { parseName } from '../../oci/names';
import type { BlobRecord } from '../../ports/blob-index';
import type { UploadSession } from '../../ports/upload-session-store';
import type { RegistryDeps } from '../config';
import { contentLength, contentRange } from '../http/request-parts';
import { emptyResponse, RegistryRequest, RegistryResponse } from '../../shared/http-types';
import type { RouteCall } from '../services';
import { SESSION_SECRET_PARAM, SessionAccess, uploadLocation } from '../uploads/session-access';
import type { BodyInput, RangeConflict } from '../uploads/upload-service';

/** POST /v2/<name>/blobs/uploads/: start a session, upload monolithically, or mount from another repository. */
export async function startUpload({ deps, uploads, mirror, req, params, caller }: RouteCall): Promise<RegistryResponse> {
  const repository = parseName(params.name!);
  // A repository filled from an upstream is read-only: refused before any byte is taken.
  await mirror?.refusePush(repository);
  const mount = req.query.get('mount');
  const from = req.query.get('from');
  // Mounting needs pull on `from`; without it, a normal session starts (as distribution does).
  if (mount && from && caller.actions(parseName(from)).includes('pull')) {
    const record = await uploads.mount(repository, mount, parseName(from));
    if (record) return created(repository, record);
  }
  const digest = req.query.get('digest');
  if (digest !== null) return created(repository, await uploads.monolithic(repository, digest, bodyInput(req)));
  return sessionResponse(deps, 202, await uploads.start(repository, caller.subject));
}

/** GET /v2/<name>/blobs/uploads/<id>: the session's progress. */
export async function uploadStatus(call: RouteCall): Promise<RegistryResponse> {
  const { deps, uploads, params } = call;
  return sessionResponse(deps, 204, await uploads.get(parseName(params.name!), params.id!, actingAs(call)));
}

/** PATCH /v2/<name>/blobs/uploads/<id>: one chunk. */
export async function appendChunk(call: RouteCall): Promise<RegistryResponse> {
  const { deps, uploads, req, params } = call;
  const result = await uploads.append(parseName(params.name!), params.id!, bodyInput(req), actingAs(call));
  if (result.outcome === 'range-conflict') throw rangeInvalid(deps, result);
  return sessionResponse(deps, 202, result.session);
}

/** PUT /v2/<name>/blobs/uploads/<id>?digest=: the last chunk (possibly empty), then the digest check. */
export async function completeUpload(call: RouteCall): Promise<RegistryResponse> {
  const { deps, uploads, req, params } = call;
  const repository = parseName(params.name!);
  const result = await uploads.complete(repository, params.id!, req.query.get('digest'), bodyInput(req), actingAs(call));
  if (result.outcome === 'range-conflict') throw rangeInvalid(deps, result);
  return created(repository, result.blob);
}

/** DELETE /v2/<name>/blobs/uploads/<id>: cancel the session. */
export async function cancelUpload(call: RouteCall): Promise<RegistryResponse> {
  await call.uploads.cancel(parseName(call.params.name!), call.params.id!, actingAs(call));
  return emptyResponse(204);
}

/**
 * Which sessions a request may touch, with auth on: its creator's, by the credentials' subject; without
 * credentials (or with an anonymous token: containerd drops credentials for another upload host), the one
 * whose secret it presents. The session id alone, which request logs carry, opens nothing.
 */
function actingAs({ deps, req, caller }: RouteCall): SessionAccess | undefined {
  if (!deps.auth) return undefined;
  if (caller.anonymous || caller.subject === undefined) return { secret: req.query.get(SESSION_SECRET_PARAM) };
  return { subject: caller.subject };
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

/** 416 RANGE_INVALID, telling the client where the session stands so it can resume from there. */
function rangeInvalid(deps: RegistryDeps, conflict: RangeConflict): OciError {
  const { session } = conflict;
  return new OciError('RANGE_INVALID', conflict.reason, {
    headers: {
      range: `0-${Math.max(session.offset - 1, 0)}`,
      location: uploadLocation(deps.config.uploadBaseUrl, session),
      'docker-upload-uuid': session.id,
    },
  });
}

function created(repository: string, record: BlobRecord): RegistryResponse {
  return emptyResponse(201, {
    location: `/v2/${repository}/blobs/${record.digest}`,
    'docker-content-digest': record.digest,
  });
}
