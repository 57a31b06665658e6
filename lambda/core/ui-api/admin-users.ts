import { newGeneration } from '../../auth/credential-generation';
import { addGrant, removeGrant } from '../../auth/grant-edits';
import { OciError } from '../../oci/errors';
import type { AuthStore, Grant, User } from '../../ports/auth-store';
import { emptyResponse, jsonResponse, RegistryResponse } from '../../shared/http-types';
import type { RouteCall } from '../services';
import { actionsInput, patternInput } from './grant-input';
import { invalid, jsonBody, stringField } from './json-body';
import { requiredParam } from './query-params';
import { requireAdmin, uiViewer, UiViewer } from './ui-auth';

/** A user as administrators see it: never its password hash or credential generation. */
export interface UserRow {
  name: string;
  admin: boolean;
  disabled: boolean;
  grants: Grant[];
}

/** GET /ui/api/admin/users. */
export async function uiListUsers(call: RouteCall): Promise<RegistryResponse> {
  const { store } = await adminOf(call);
  const users: UserRow[] = (await store.listUsers()).map((u) => ({ name: u.name, admin: u.admin, disabled: u.disabled === true, grants: u.grants }));
  return jsonResponse(200, users);
}

/** POST /ui/api/admin/grants { user, pattern, actions }: adds the actions (as `npx stratus grant`). */
export async function uiAddGrant(call: RouteCall): Promise<RegistryResponse> {
  const { store } = await adminOf(call);
  const body = await jsonBody(call.req);
  const user = await existingUser(store, stringField(body, 'user'));
  const pattern = patternInput(body.pattern);
  await store.putUser({ ...user, grants: addGrant(user.grants, pattern, actionsInput(body.actions)) });
  return emptyResponse(204);
}

/** DELETE /ui/api/admin/grants?user=&pattern=: removes the user's grant on the pattern (as `npx stratus revoke`). */
export async function uiRemoveGrant(call: RouteCall): Promise<RegistryResponse> {
  const { store } = await adminOf(call);
  const user = await existingUser(store, requiredParam(call.req, 'user'));
  const pattern = patternInput(requiredParam(call.req, 'pattern'));
  await store.putUser({ ...user, grants: removeGrant(user.grants, pattern) });
  return emptyResponse(204);
}

/**
 * POST /ui/api/admin/users/disable { user, disabled }: as `user disable` (a new credential generation, so
 * its refresh tokens stay dead) or `user enable`. An administrator cannot disable itself.
 */
export async function uiDisableUser(call: RouteCall): Promise<RegistryResponse> {
  const { store, viewer } = await adminOf(call);
  const body = await jsonBody(call.req);
  const user = await existingUser(store, stringField(body, 'user'));
  if (typeof body.disabled !== 'boolean') throw invalid('disabled must be true or false');
  if (body.disabled && user.name === viewer.subject) throw new OciError('DENIED', 'you cannot disable your own account');
  await store.putUser(body.disabled ? { ...user, disabled: true, generation: newGeneration() } : { ...user, disabled: false });
  return emptyResponse(204);
}

/** The auth store, once the viewer is known to be an administrator (the admin routes exist only with auth on). */
export async function adminOf(call: RouteCall): Promise<{ store: AuthStore; viewer: UiViewer }> {
  const viewer = await uiViewer(call);
  requireAdmin(viewer);
  return { store: call.auth!.deps.store, viewer };
}

async function existingUser(store: AuthStore, name: string): Promise<User> {
  const user = await store.getUser(name);
  if (!user) throw new OciError('NAME_UNKNOWN', `no user ${name.slice(0, 128)}`, { detail: { user: name.slice(0, 128) } });
  return user;
}
