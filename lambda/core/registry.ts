import { Authorizer } from '../auth/authorizer';
import { UNRESTRICTED } from '../auth/caller';
import type { RegistryDeps } from './config';
import { corsHeaders, preflight } from './http/cors';
import { errorResponse } from './http/error-response';
import { mirrorPullOf } from './handlers/token';
import { Router } from './http/router';
import type { RegistryHandler, RegistryRequest, RegistryResponse } from '../shared/http-types';
import { ROUTES } from './routes';
import { registryServices } from './services';
import { isUiApiPath } from './ui-api/routes';

/** Builds the registry: a function from request to response, independent of any transport. */
export function createRegistry(deps: RegistryDeps): RegistryHandler {
  const services = registryServices(deps);
  const authorizer = services.auth ? new Authorizer(services.auth.deps, services.auth.authenticator, mirrorPullOf(services)) : undefined;
  const router = new Router(ROUTES.filter((r) => !r.onlyWithAuth || services.auth));
  return async (req: RegistryRequest): Promise<RegistryResponse> => {
    let res: RegistryResponse;
    try {
      // The UI's API is same-origin only: a preflight gets no CORS headers, so other origins' pages cannot call it.
      if (req.method === 'OPTIONS') res = isUiApiPath(req.path) ? { status: 204, headers: {} } : preflight(req, deps.config.corsOrigin);
      else {
        const { route, params } = router.match(req);
        const caller = authorizer ? await authorizer.authorize(req, route.needs, params) : UNRESTRICTED;
        res = await route.handler({ ...services, req, params, caller });
      }
    } catch (err) {
      res = errorResponse(err, req.requestId, deps.logger);
    }
    if (req.method === 'HEAD') delete res.body;
    const uiApi = isUiApiPath(req.path);
    res.headers = {
      ...res.headers,
      'docker-distribution-api-version': 'registry/2.0',
      'x-request-id': req.requestId,
      ...(uiApi ? { 'cache-control': 'no-store' } : corsHeaders(req, deps.config.corsOrigin)),
    };
    return res;
  };
}
