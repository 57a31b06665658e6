import { currentAccessToken, renew, storedTokens } from './tokens';

/** An error answer of the registry, with its message made for people. */
export class ApiError extends Error {
  constructor(message: string, readonly status: number, readonly code: string) {
    super(message);
  }
}

/**
 * Told when the API answered 401 and no renewal helped: the app shows the login. `ended` is true when a
 * token was sent and refused (a session that really ended), false for a caller who never logged in.
 */
let onLoggedOut: (ended: boolean) => void = () => undefined;
export function whenLoggedOut(callback: (ended: boolean) => void): void {
  onLoggedOut = callback;
}

type Query = Record<string, string | number | undefined | null>;

function url(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return `/ui/api/${path}${qs ? `?${qs}` : ''}`;
}

async function send(method: string, path: string, query: Query, body: unknown, token: string | null, signal?: AbortSignal): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return fetch(url(path, query), {
    method, headers, credentials: 'omit', cache: 'no-store', signal,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Whether an error is the rejection of a request its caller aborted (a superseded search): never shown. */
export function isAbort(err: unknown): boolean {
  return (err as Error | null)?.name === 'AbortError';
}

/**
 * Calls the UI API: the stored access token attached (renewed when near expiry, once more on a 401),
 * JSON in and out; error answers become ApiError with the registry's message. `signal` cancels it (the
 * promise then rejects with an AbortError: see isAbort).
 */
export async function api<T>(method: string, path: string, query: Query = {}, body?: unknown, signal?: AbortSignal): Promise<T> {
  let token = await currentAccessToken();
  let res = await send(method, path, query, body, token, signal);
  if (res.status === 401 && storedTokens()) {
    const renewed = await renew();
    token = renewed?.accessToken ?? token;
    res = await send(method, path, query, body, renewed?.accessToken ?? null, signal);
  }
  if (!res.ok) throw await apiError(res, method, query, token !== null);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

async function apiError(res: Response, method: string, query: Query, sentToken: boolean): Promise<ApiError> {
  let code = 'UNKNOWN';
  let message = '';
  try {
    const body = (await res.json()) as { errors?: Array<{ code?: string; message?: string }> };
    code = body.errors?.[0]?.code ?? code;
    message = body.errors?.[0]?.message ?? '';
  } catch { /* not JSON (a proxy's page): the status says enough */ }
  const repo = typeof query.repository === 'string' ? query.repository : null;
  if (res.status === 401) {
    onLoggedOut(sentToken);
    return new ApiError('Log in to see this.', 401, code);
  }
  if (res.status === 403 && /immutable/i.test(message)) return new ApiError(message, 403, code);
  if (res.status === 403) {
    const what = method === 'DELETE' ? 'delete in' : 'use';
    const detail = message ? ` (${message})` : '';
    return new ApiError(`You may not ${what} ${repo ?? 'this'}: ask an administrator for a grant.${detail}`, 403, code);
  }
  if (res.status === 404 && code === 'NAME_UNKNOWN') return new ApiError(`No repository ${repo ?? ''} (or you may not pull it).`, 404, code);
  if (res.status === 404 && code === 'MANIFEST_UNKNOWN') return new ApiError(message || 'No such tag or manifest.', 404, code);
  if (res.status === 429) return new ApiError('Too many requests: wait a moment and try again.', 429, code);
  if (res.status >= 500) return new ApiError(message || `The registry failed (${res.status}); try again.`, res.status, code);
  return new ApiError(message || `The registry answered ${res.status}.`, res.status, code);
}
