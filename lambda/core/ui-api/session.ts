import { jsonResponse, RegistryResponse } from '../../shared/http-types';
import type { RouteCall } from '../services';
import { optionalUiViewer } from './ui-auth';
import { STRATUS_VERSION } from './version';

/** What GET /ui/api/session answers: how to log in, and who is logged in. */
export interface SessionView {
  authEnabled: boolean;
  /** The `service` to ask the token endpoint for; null with auth off. */
  service: string | null;
  /** The logged-in subject; null when anonymous, when the token no longer works, or with auth off. */
  subject: string | null;
  admin: boolean;
  version: string;
}

/** GET /ui/api/session: needs no login; tells the UI whether and how to log in. */
export async function uiSession(call: RouteCall): Promise<RegistryResponse> {
  const viewer = await optionalUiViewer(call);
  const view: SessionView = {
    authEnabled: call.auth !== undefined,
    service: call.auth?.deps.service ?? null,
    subject: viewer?.subject ?? null,
    admin: viewer?.admin ?? false,
    version: STRATUS_VERSION,
  };
  return jsonResponse(200, view);
}
