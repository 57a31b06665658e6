import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { SessionInfo } from './types';

/** The session as the app knows it: the registry's answer to GET /ui/api/session, and a way to ask again. */
export interface AppSession {
  info: SessionInfo;
  /** Ask again (after login and logout). */
  refresh: () => void;
}

export const SessionContext = createContext<AppSession | null>(null);

/** The current session (inside the app's provider). */
export function useSession(): AppSession {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside the session provider');
  return session;
}

/**
 * Whether to offer delete buttons: auth off (everyone may), or logged in (the registry decides per
 * repository; a 403 is shown as its message). Anonymous callers with auth on are never offered them.
 */
export function mayTryDelete(info: SessionInfo): boolean {
  return !info.authEnabled || info.subject !== null;
}
