import type { RegistryDeps } from './config';
import { blobRoutes } from './handlers/blobs';
import { baseRoute, catalogRoute, referrersRoute, tagsRoute } from './handlers/listings';
import { manifestRoutes } from './handlers/manifests';
import { uploadSessionRoute, uploadStartRoute } from './handlers/uploads';
import { corsHeaders, preflight } from './http/cors';
import { errorResponse } from './http/error-response';
import { matchRoute, Route } from './http/router';
import type { RegistryHandler, RegistryRequest, RegistryResponse } from './http/types';
import { ManifestService } from './manifests/manifest-service';
import { UploadService } from './uploads/upload-service';

/** The route table: every path of the API, once. Upload routes come before the blob route they resemble. */
function routes(deps: RegistryDeps): Route[] {
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
  ];
}

/** Builds the registry: a function from request to response, independent of any transport. */
export function createRegistry(deps: RegistryDeps): RegistryHandler {
  const table = routes(deps);
  return async (req: RegistryRequest): Promise<RegistryResponse> => {
    let res: RegistryResponse;
    try {
      if (req.method === 'OPTIONS') res = preflight(req, deps.config.corsOrigin);
      else {
        const { handler, params } = matchRoute(table, req);
        res = await handler(req, params);
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
