/**
 * The logged-in session's tokens, kept in sessionStorage (one tab's life; never cookies, so no request
 * is ever authenticated by the browser on its own: no CSRF). Tokens come from the registry's own token
 * service, POST /token, as every registry client gets them.
 */

const KEY = 'stratus.tokens';
const CLIENT_ID = 'stratus-ui';
/** Renew this long before the access token expires (clocks and slow requests). */
const EARLY_MS = 30_000;

export interface Tokens {
  subject: string;
  accessToken: string;
  refreshToken: string | null;
  /** ms since the epoch */
  expiresAt: number;
  service: string;
}

/** The stored tokens, or null when logged out. */
export function storedTokens(): Tokens | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Tokens) : null;
  } catch {
    return null;
  }
}

function store(tokens: Tokens | null): void {
  if (tokens) sessionStorage.setItem(KEY, JSON.stringify(tokens));
  else sessionStorage.removeItem(KEY);
}

/** What POST /token failed with, in words a person can act on. */
export class LoginError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
  }
}

interface TokenAnswer {
  token?: string;
  access_token?: string;
  expires_in?: number;
  refresh_token?: string;
}

async function postToken(form: Record<string, string>): Promise<TokenAnswer> {
  const res = await fetch('/token', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(form).toString(),
    credentials: 'omit',
  });
  if (!res.ok) {
    let message = `the token service answered ${res.status}`;
    try {
      const body = (await res.json()) as { errors?: Array<{ message?: string }> };
      if (body.errors?.[0]?.message) message = body.errors[0].message;
    } catch { /* not JSON: keep the status */ }
    if (res.status === 401) message = 'wrong name or password (or the account is disabled)';
    if (res.status === 429) message = 'too many failed logins: wait a minute and try again';
    throw new LoginError(message, res.status);
  }
  return (await res.json()) as TokenAnswer;
}

function tokensFrom(answer: TokenAnswer, subject: string, service: string, previousRefresh: string | null): Tokens {
  const accessToken = answer.access_token ?? answer.token;
  if (!accessToken) throw new LoginError('the token service sent no token', 500);
  return {
    subject, service, accessToken,
    refreshToken: answer.refresh_token ?? previousRefresh,
    expiresAt: Date.now() + (answer.expires_in ?? 60) * 1000,
  };
}

/** Logs in a user or robot with its password or secret; the tokens are stored. */
export async function login(username: string, password: string, service: string): Promise<Tokens> {
  const answer = await postToken({
    grant_type: 'password', username, password, client_id: CLIENT_ID, access_type: 'offline', service,
  });
  const tokens = tokensFrom(answer, username, service, null);
  store(tokens);
  return tokens;
}

let renewing: Promise<Tokens | null> | null = null;

/** A new access token from the refresh token (one renewal at a time); null, and logged out, when refused. */
export function renew(): Promise<Tokens | null> {
  const current = storedTokens();
  if (!current?.refreshToken) {
    store(null);
    return Promise.resolve(null);
  }
  renewing ??= postToken({
    grant_type: 'refresh_token', refresh_token: current.refreshToken, client_id: CLIENT_ID, access_type: 'offline', service: current.service,
  })
    .then((answer) => {
      const tokens = tokensFrom(answer, current.subject, current.service, current.refreshToken);
      store(tokens);
      return tokens;
    }, () => {
      store(null);
      return null;
    })
    .finally(() => { renewing = null; });
  return renewing;
}

/** The access token to send now: renewed first when it is about to expire; null when logged out. */
export async function currentAccessToken(): Promise<string | null> {
  const tokens = storedTokens();
  if (!tokens) return null;
  if (tokens.expiresAt - EARLY_MS > Date.now()) return tokens.accessToken;
  return (await renew())?.accessToken ?? null;
}

/** Forgets the tokens (the refresh token dies with the tab's storage; it expires server-side). */
export function logout(): void {
  store(null);
}
