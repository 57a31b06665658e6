import { Authenticator } from '../auth/authenticator';
import { Authorizer } from '../auth/authorizer';
import { UNRESTRICTED } from '../auth/caller';
import type { RegistryDeps } from './config';
import { blobRoutes } from './handlers/blobs';
import { baseRoute, catalogRoute, referrersRoute, tagsRoute } from './handlers/listings';
import { manifestRoutes } from './handlers/manifests';
import { tokenRoute } from './handlers/token';
import { uploadSessionRoute, uploadStartRoute } from './handlers/uploads';
import { corsHeaders, preflight } from './http/cors';
import { errorResponse } from './http/error-response';
import { matchRoute, Route } from './http/router';
import type { RegistryHandler, RegistryRequest, RegistryResponse } from './http/types';
import { ManifestService } from './manifests/manifest-service';
import { UploadService } from './uploads/upload-service';

/**
 * The route table: every path of the API, once. Upload routes come before the blob route they resemble.
 * The token endpoint (outside /v2/) exists only when auth is on.
 */
function routes(deps: RegistryDeps, authenticator?: Authenticator): Route[] {
  const manifests = new ManifestService(deps);
  const uploads = new UploadService(deps);
  return [
    baseRoute(),
    catalogRoute(deps),
    uploadStartRoute(deps, uploads),
    uploadSessionRoute(deps, uploads),
    blobRoutes(deps),
    manifestRoutes(deps, manifests),
    tagsRoute(deps),
    referrersRoute(manifests),
    ...(deps.auth && authenticator ? [tokenRoute(deps, deps.auth, authenticator)] : []),
  ];
}

/** Builds the registry: a function from request to response, independent of any transport. */
export function createRegistry(deps: RegistryDeps): RegistryHandler {
  const authenticator = deps.auth ? new Authenticator(deps.auth, deps.logger, deps.now) : undefined;
  const authorizer = deps.auth && authenticator ? new Authorizer(deps.auth, authenticator) : undefined;
  const table = routes(deps, authenticator);
  return async (req: RegistryRequest): Promise<RegistryResponse> => {
    let res: RegistryResponse;
    try {
      if (req.method === 'OPTIONS') res = preflight(req, deps.config.corsOrigin);
      else {
        const { route, handler, params, method } = matchRoute(table, req);
        const caller = authorizer ? await authorizer.authorize(req, route.access[method], params) : UNRESTRICTED;
        res = await handler(req, params, { caller });
      }
    } catch (err) {
      res = errorResponse(err, req.requestId, deps.logger);
    }
    if (req.method === 'HEAD') delete res.body;
    res.headers = {
      ...res.headers,
      'docker-distribution-api-version': 'registry/2.0',
      'x-request-id': req.requestId,
      ...corsHeaders(req, deps.config.corsOrigin),
    };
    return res;
  };
}
