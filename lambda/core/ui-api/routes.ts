import { NEEDS } from '../../auth/authorizer';
import { OciError } from '../../oci/errors';
import type { RouteDescriptor } from '../http/router';
import type { RouteHandler, RouteCall } from '../services';
import { uiGcRuns, uiPolicies } from './admin-lifecycle';
import { uiCreateRobot, uiListRobots, uiRevokeRobot } from './admin-robots';
import { uiAddGrant, uiDisableUser, uiListUsers, uiRemoveGrant } from './admin-users';
import { uiDeleteManifest, uiDeleteTag } from './deletes';
import { uiManifest } from './manifest-view';
import { uiRepositories } from './repositories';
import { uiSession } from './session';
import { uiTags } from './tags';

/** Every path of the web UI's API starts with this: no CORS headers, never cached (see isUiApiPath). */
export const UI_API_PREFIX = '/ui/api/';

/** Whether a request is for the UI's API: same-origin only (no CORS headers) and `Cache-Control: no-store`. */
export function isUiApiPath(path: string): boolean {
  return path.startsWith(UI_API_PREFIX) || path === '/ui/api';
}

const PATH = {
  session: /^\/ui\/api\/session$/,
  repositories: /^\/ui\/api\/repositories$/,
  tags: /^\/ui\/api\/tags$/,
  tag: /^\/ui\/api\/tag$/,
  manifest: /^\/ui\/api\/manifest$/,
  users: /^\/ui\/api\/admin\/users$/,
  grants: /^\/ui\/api\/admin\/grants$/,
  disable: /^\/ui\/api\/admin\/users\/disable$/,
  robots: /^\/ui\/api\/admin\/robots$/,
  revoke: /^\/ui\/api\/admin\/robots\/revoke$/,
  gcRuns: /^\/ui\/api\/admin\/gc-runs$/,
  policies: /^\/ui\/api\/admin\/policies$/,
  other: /^\/ui\/api(?:\/.*)?$/,
} as const;

async function unknownPath(call: RouteCall): Promise<never> {
  throw new OciError('NOT_FOUND', `no UI API path ${call.req.path.slice(0, 200)}`);
}

/**
 * The UI API's routes. They are public to the Authorizer: each handler authenticates its caller itself
 * (ui-auth.ts: a Bearer token, the account's current grants) and decides per repository, so that what a
 * caller may not pull is answered 404, as if it did not exist. Admin paths exist only with auth on.
 */
export const UI_API_ROUTES: readonly RouteDescriptor<RouteHandler>[] = [
  { name: 'ui session', method: 'GET', path: PATH.session, needs: NEEDS.public, handler: uiSession },
  { name: 'ui repositories', method: 'GET', path: PATH.repositories, needs: NEEDS.public, handler: uiRepositories },
  { name: 'ui tags', method: 'GET', path: PATH.tags, needs: NEEDS.public, handler: uiTags },
  { name: 'ui tag', method: 'DELETE', path: PATH.tag, needs: NEEDS.public, handler: uiDeleteTag },
  { name: 'ui manifest', method: 'GET', path: PATH.manifest, needs: NEEDS.public, handler: uiManifest },
  { name: 'ui manifest', method: 'DELETE', path: PATH.manifest, needs: NEEDS.public, handler: uiDeleteManifest },
  { name: 'ui admin users', method: 'GET', path: PATH.users, needs: NEEDS.public, handler: uiListUsers, onlyWithAuth: true },
  { name: 'ui admin grants', method: 'POST', path: PATH.grants, needs: NEEDS.public, handler: uiAddGrant, onlyWithAuth: true },
  { name: 'ui admin grants', method: 'DELETE', path: PATH.grants, needs: NEEDS.public, handler: uiRemoveGrant, onlyWithAuth: true },
  { name: 'ui admin disable', method: 'POST', path: PATH.disable, needs: NEEDS.public, handler: uiDisableUser, onlyWithAuth: true },
  { name: 'ui admin robots', method: 'GET', path: PATH.robots, needs: NEEDS.public, handler: uiListRobots, onlyWithAuth: true },
  { name: 'ui admin robots', method: 'POST', path: PATH.robots, needs: NEEDS.public, handler: uiCreateRobot, onlyWithAuth: true },
  { name: 'ui admin revoke', method: 'POST', path: PATH.revoke, needs: NEEDS.public, handler: uiRevokeRobot, onlyWithAuth: true },
  { name: 'ui admin gc runs', method: 'GET', path: PATH.gcRuns, needs: NEEDS.public, handler: uiGcRuns, onlyWithAuth: true },
  { name: 'ui admin policies', method: 'GET', path: PATH.policies, needs: NEEDS.public, handler: uiPolicies, onlyWithAuth: true },
  // Anything else under /ui/api/ is a JSON 404 (with auth off, the admin paths too), never the UI's HTML.
  { name: 'ui api unknown', method: 'GET', path: PATH.other, needs: NEEDS.public, handler: unknownPath },
  { name: 'ui api unknown', method: 'POST', path: PATH.other, needs: NEEDS.public, handler: unknownPath },
  { name: 'ui api unknown', method: 'DELETE', path: PATH.other, needs: NEEDS.public, handler: unknownPath },
];
