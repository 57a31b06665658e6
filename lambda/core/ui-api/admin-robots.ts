import { newRobot } from '../../auth/robot-credentials';
import { OciError } from '../../oci/errors';
import type { Grant } from '../../ports/auth-store';
import { emptyResponse, jsonResponse, RegistryResponse } from '../../shared/http-types';
import type { RouteCall } from '../services';
import { adminOf } from './admin-users';
import { grantsInput } from './grant-input';
import { invalid, jsonBody, stringField } from './json-body';

const DAY_MS = 24 * 3600 * 1000;
/** A robot's label: what `robot list` shows. */
const ROBOT_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,63}$/;

/** A robot as administrators see it: never its secret's hash. Times in ms (expiresAt null: never). */
export interface RobotRow {
  id: string;
  name: string;
  grants: Grant[];
  createdAt: number;
  expiresAt: number | null;
  revoked: boolean;
}

/** GET /ui/api/admin/robots, oldest first. */
export async function uiListRobots(call: RouteCall): Promise<RegistryResponse> {
  const { store } = await adminOf(call);
  const robots: RobotRow[] = (await store.listRobots()).sort((a, b) => a.createdAt - b.createdAt).map((r) => ({
    id: r.id, name: r.name, grants: r.grants, createdAt: r.createdAt,
    expiresAt: r.expiresAt === undefined ? null : r.expiresAt * 1000, revoked: r.revoked === true,
  }));
  return jsonResponse(200, robots);
}

/**
 * POST /ui/api/admin/robots { name, grants, expiresInDays? } -> { id, secret }: created as `npx stratus
 * robot create` does. `secret` is the robot's whole password (`<id>.<secret>`), shown this once; only its
 * hash is stored, and it is never logged.
 */
export async function uiCreateRobot(call: RouteCall): Promise<RegistryResponse> {
  const { store } = await adminOf(call);
  const body = await jsonBody(call.req);
  const name = stringField(body, 'name', 64);
  if (!ROBOT_NAME.test(name)) throw invalid('name: letters, digits, space and . _ @ - (at most 64)');
  const grants = grantsInput(body.grants);
  const now = call.deps.now();
  let expiresAt: number | undefined;
  if (body.expiresInDays !== undefined && body.expiresInDays !== null) {
    const days = body.expiresInDays;
    if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 3650) throw invalid('expiresInDays must be a whole number from 1 to 3650');
    expiresAt = Math.floor((now + days * DAY_MS) / 1000);
  }
  const { robot, password } = await newRobot({ name, grants, now, expiresAt });
  await store.putRobot(robot);
  return jsonResponse(201, { id: robot.id, secret: password });
}

/** POST /ui/api/admin/robots/revoke { id }: its password no longer logs in (tokens issued before expire on their own). */
export async function uiRevokeRobot(call: RouteCall): Promise<RegistryResponse> {
  const { store } = await adminOf(call);
  const id = stringField(await jsonBody(call.req), 'id', 128).split('.')[0]!;
  const robot = await store.getRobot(id);
  if (!robot) throw new OciError('NAME_UNKNOWN', `no robot ${id}`, { detail: { robot: id } });
  await store.putRobot({ ...robot, revoked: true });
  return emptyResponse(204);
}
