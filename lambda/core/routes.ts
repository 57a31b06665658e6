import { NEEDS } from '../auth/authorizer';
import { deleteBlob, getBlob, headBlob } from './handlers/blobs';
import { apiVersion, listCatalog, listReferrers, listTags } from './handlers/listings';
import { deleteManifest, getManifest, headManifest, putManifest } from './handlers/manifests';
import { tokenByGet, tokenByPost } from './handlers/token';
import { serveWebUi } from './handlers/web-ui';
import { appendChunk, cancelUpload, completeUpload, startUpload, uploadStatus } from './handlers/uploads';
import type { RouteDescriptor } from './http/router';
import type { RouteHandler } from './services';
import { UI_API_ROUTES } from './ui-api/routes';

/**
 * The API's paths, matched against the raw path. `name` is a repository name of one or more segments, so a
 * path can match several patterns (a repository may be called `x/blobs/uploads`): ROUTES lists paths in
 * the order that settles it.
 */
const PATH = {
  base: /^\/v2\/?$/,
  catalog: /^\/v2\/_catalog$/,
  uploadStart: /^\/v2\/(?<name>.+)\/blobs\/uploads\/?$/,
  upload: /^\/v2\/(?<name>.+)\/blobs\/uploads\/(?<id>[^/]+)$/,
  blob: /^\/v2\/(?<name>.+)\/blobs\/(?<digest>[^/]+)$/,
  manifest: /^\/v2\/(?<name>.+)\/manifests\/(?<reference>[^/]+)$/,
  tags: /^\/v2\/(?<name>.+)\/tags\/list$/,
  referrers: /^\/v2\/(?<name>.+)\/referrers\/(?<digest>[^/]+)$/,
  token: /^\/token\/?$/,
  // The web UI: `/` and `/ui/...`, except its API under /ui/api/ (an unknown API path must not get HTML).
  webUi: /^\/(?:ui(?:\/(?!api(?:\/|$)).*)?)?$/,
} as const;

/**
 * Every route of the registry, once: method, path, what the caller needs with auth on, handler. Paths are
 * tried in this order: `_catalog` before any name, upload paths before the blob path they resemble. A
 * path without HEAD answers HEAD with its GET (the body dropped); a known path with another method is 405.
 */
export const ROUTES: readonly RouteDescriptor<RouteHandler>[] = [
  { name: 'base', method: 'GET', path: PATH.base, needs: NEEDS.login, handler: apiVersion },
  { name: 'catalog', method: 'GET', path: PATH.catalog, needs: NEEDS.catalog, handler: listCatalog },
  { name: 'blob upload start', method: 'POST', path: PATH.uploadStart, needs: NEEDS.startUpload, handler: startUpload },
  { name: 'blob upload', method: 'GET', path: PATH.upload, needs: NEEDS.uploadSession, handler: uploadStatus },
  { name: 'blob upload', method: 'PATCH', path: PATH.upload, needs: NEEDS.uploadSession, handler: appendChunk },
  { name: 'blob upload', method: 'PUT', path: PATH.upload, needs: NEEDS.uploadSession, handler: completeUpload },
  { name: 'blob upload', method: 'DELETE', path: PATH.upload, needs: NEEDS.uploadSession, handler: cancelUpload },
  { name: 'blob', method: 'HEAD', path: PATH.blob, needs: NEEDS.pull, handler: headBlob },
  { name: 'blob', method: 'GET', path: PATH.blob, needs: NEEDS.pull, handler: getBlob },
  { name: 'blob', method: 'DELETE', path: PATH.blob, needs: NEEDS.delete, handler: deleteBlob },
  { name: 'manifest', method: 'HEAD', path: PATH.manifest, needs: NEEDS.pull, handler: headManifest },
  { name: 'manifest', method: 'GET', path: PATH.manifest, needs: NEEDS.pull, handler: getManifest },
  { name: 'manifest', method: 'PUT', path: PATH.manifest, needs: NEEDS.push, handler: putManifest },
  { name: 'manifest', method: 'DELETE', path: PATH.manifest, needs: NEEDS.delete, handler: deleteManifest },
  { name: 'tags', method: 'GET', path: PATH.tags, needs: NEEDS.pull, handler: listTags },
  { name: 'referrers', method: 'GET', path: PATH.referrers, needs: NEEDS.pull, handler: listReferrers },
  // The token endpoint (outside /v2/) authenticates by itself, and exists only when auth is on.
  { name: 'token', method: 'GET', path: PATH.token, needs: NEEDS.public, handler: tokenByGet, onlyWithAuth: true },
  { name: 'token', method: 'POST', path: PATH.token, needs: NEEDS.public, handler: tokenByPost, onlyWithAuth: true },
  // The web UI's own API (ui-api/routes.ts): its handlers check the caller themselves.
  ...UI_API_ROUTES,
  // Public static files; what the UI shows comes from /ui/api/, which checks the caller on every request.
  { name: 'web ui', method: 'GET', path: PATH.webUi, needs: NEEDS.public, handler: serveWebUi },
];
