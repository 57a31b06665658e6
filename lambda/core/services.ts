import type { AuthDeps } from '../auth/auth-config';
import { Authenticator } from '../auth/authenticator';
import type { Caller } from '../auth/caller';
import type { RegistryDeps } from './config';
import type { RouteParams } from './http/router';
import type { RegistryRequest, RegistryResponse } from '../shared/http-types';
import { ManifestService } from './manifests/manifest-service';
import { pullCaches, pullCachingStore } from './manifests/pull-caching-store';
import { PullThrough } from './mirror/pull-through';
import { UploadService } from './uploads/upload-service';

/** What one registry builds once and every handler may use: its deps and its services. */
export interface RegistryServices {
  deps: RegistryDeps;
  manifests: ManifestService;
  uploads: UploadService;
  /** The pull-through cache (registry mirror); absent when the host configured none. */
  mirror?: PullThrough;
  /** Present with auth on: the auth settings and the authenticator the token endpoint and Authorizer share. */
  auth?: { deps: AuthDeps; authenticator: Authenticator };
}

/** What a handler gets per request: the registry's services, the request, its path params and who calls. */
export interface RouteCall extends RegistryServices {
  req: RegistryRequest;
  params: RouteParams;
  /** The authorized caller (everything allowed when auth is off). */
  caller: Caller;
}

/** A handler of one row of the route table. */
export type RouteHandler = (call: RouteCall) => Promise<RegistryResponse>;

/** Builds the services of one registry (one per host process). */
export function registryServices(deps: RegistryDeps): RegistryServices {
  const auth = deps.auth ? { deps: deps.auth, authenticator: new Authenticator(deps.auth, deps.logger, deps.now) } : undefined;
  // Pulls read tags, manifests and links through per-process caches; every write here (the mirror's too) forgets what it may change.
  const caches = pullCaches(deps.config.tagCacheSeconds, deps.now);
  const served = caches.tags.enabled ? { ...deps, meta: pullCachingStore(deps.meta, caches) } : deps;
  const mirror = served.mirror ? new PullThrough({ ...served, mirror: served.mirror }) : undefined;
  return { deps: served, manifests: new ManifestService(served, caches.tags), uploads: new UploadService(served), mirror, auth };
}
