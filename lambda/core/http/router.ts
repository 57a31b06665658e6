import type { Requirement } from '../../auth/authorizer';
import type { Caller } from '../../auth/caller';
import { OciError } from '../../oci/errors';
import type { RegistryRequest, RegistryResponse } from './types';

/** Path parameters captured by a route: name, reference, digest or upload id. */
export type RouteParams = Record<string, string>;
/** What the core knows about a request beyond its bytes: who is calling (everything allowed when auth is off). */
export interface RouteContext {
  caller: Caller;
}
/** A handler for one route. */
export type RouteHandler = (req: RegistryRequest, params: RouteParams, ctx: RouteContext) => Promise<RegistryResponse>;

/** One route: its name, the path it matches (groups become params) and a handler per method. */
export interface Route {
  name: string;
  pattern: RegExp;
  params: string[];
  methods: Partial<Record<string, RouteHandler>>;
  /** What each method needs from its caller when auth is on; a method without an entry is denied. */
  access: Partial<Record<string, Requirement>>;
}

/** Finds the route for a path, or throws NOT_FOUND; a known path with the wrong method is UNSUPPORTED. */
export function matchRoute(routes: Route[], req: RegistryRequest): { route: Route; handler: RouteHandler; params: RouteParams; method: string } {
  for (const route of routes) {
    const m = route.pattern.exec(req.path);
    if (!m) continue;
    const params: RouteParams = {};
    route.params.forEach((p, i) => (params[p] = m[i + 1]!));
    const method = req.method === 'HEAD' && !route.methods.HEAD ? 'GET' : req.method;
    const handler = route.methods[method];
    if (!handler) {
      throw new OciError('UNSUPPORTED', `${req.method} is not supported on ${route.name}`, {
        headers: { allow: Object.keys(route.methods).join(', ') },
      });
    }
    return { route, handler, params, method };
  }
  throw new OciError('NOT_FOUND', `no route for ${req.path.slice(0, 200)}`);
}
