import { createHash } from 'node:crypto';
import type { UpstreamCredentials } from '../../ports/mirror-store';
import { UpstreamDeniedError, UpstreamUnavailableError } from '../../ports/upstream-registry';
import type { Logger } from '../../shared/logger';
import { Agents, discard, exchange, parseRetryAfter, readCapped, UpstreamTimeouts } from './http-exchange';
import type { Challenge } from './www-authenticate';

/** Seconds a token lives when the token endpoint does not say (the distribution token spec's default). */
const DEFAULT_EXPIRES_IN = 60;
/** Tokens are a few KB; a larger answer is not a token endpoint's. */
const MAX_TOKEN_ANSWER = 1024 * 1024;
/** Tokens kept at most, per process (one per upstream, credentials and repository). */
const MAX_CACHED = 10_000;

/** What a token request needs besides the challenge. */
export interface TokenContext {
  /** The upstream's base URL, to refuse a realm that downgrades https to http. */
  upstream: URL;
  label: string;
  timeouts: UpstreamTimeouts;
  agents: Agents;
  logger: Logger;
  userAgent: string;
}

/** A `Basic` Authorization header value. */
export function basicAuthorization(c: UpstreamCredentials): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
}

/** A short fingerprint of credentials for cache keys: tokens got with one set are never sent with another. */
export function credentialsFingerprint(c: UpstreamCredentials | null): string {
  return c ? createHash('sha256').update(`${c.username}\u0000${c.password}`).digest('hex').slice(0, 16) : 'anonymous';
}

/**
 * Bearer tokens by cache key (upstream, credentials, repository), each until shortly before it expires;
 * concurrent requests for the same key share one token request.
 */
export class TokenCache {
  private readonly tokens = new Map<string, { token: string; usableUntil: number }>();
  private readonly pending = new Map<string, Promise<string>>();

  constructor(private readonly now: () => number) {}

  /** A usable token for `key`, or undefined. */
  get(key: string): string | undefined {
    const cached = this.tokens.get(key);
    if (cached && cached.usableUntil > this.now()) return cached.token;
    if (cached) this.tokens.delete(key);
    return undefined;
  }

  /** Forgets a token the upstream refused before its time (unless a newer one replaced it meanwhile). */
  drop(key: string, token: string): void {
    if (this.tokens.get(key)?.token === token) this.tokens.delete(key);
  }

  /** The cached token for `key`, else one from `fetch` (shared with concurrent callers), cached for its lifetime. */
  async getOrFetch(key: string, fetch: () => Promise<{ token: string; expiresIn: number }>): Promise<string> {
    const cached = this.get(key);
    if (cached) return cached;
    let pending = this.pending.get(key);
    if (!pending) {
      pending = fetch().then(({ token, expiresIn }) => {
        this.put(key, token, expiresIn);
        return token;
      }).finally(() => this.pending.delete(key));
      this.pending.set(key, pending);
    }
    return pending;
  }

  private put(key: string, token: string, expiresIn: number): void {
    const lifetimeMs = expiresIn * 1000;
    // Renew a quarter early (at most 30 s): a token must not expire between our check and the upstream's.
    const usableUntil = this.now() + lifetimeMs - Math.min(30_000, lifetimeMs / 4);
    if (this.tokens.size >= MAX_CACHED) this.tokens.delete(this.tokens.keys().next().value as string);
    this.tokens.set(key, { token, usableUntil });
  }
}

/**
 * Asks a Bearer challenge's realm for a token for `scope` (Docker's token protocol): GET
 * realm?service=..&scope=.., with Basic credentials when the rule has some, anonymously otherwise.
 */
export async function fetchToken(
  challenge: Extract<Challenge, { scheme: 'bearer' }>, scope: string, credentials: UpstreamCredentials | null, ctx: TokenContext,
): Promise<{ token: string; expiresIn: number }> {
  const realm = realmUrl(challenge.realm, ctx);
  if (challenge.service) realm.searchParams.set('service', challenge.service);
  realm.searchParams.set('scope', scope);
  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': ctx.userAgent };
  if (credentials) headers.authorization = basicAuthorization(credentials);
  const started = Date.now();
  const x = await exchange(realm, 'GET', headers, ctx.timeouts, ctx.agents, ctx.label);
  ctx.logger.info('upstream token request', { upstream: ctx.label, realm: realm.host, scope, status: x.status, ms: Date.now() - started });
  if (x.status === 401 || x.status === 403) {
    discard(x);
    throw new UpstreamDeniedError(ctx.label, `token endpoint ${realm.host} refused ${credentials ? 'the credentials' : 'an anonymous token'} (${x.status})`, x.status);
  }
  if (x.status !== 200) {
    discard(x);
    const retry = x.status === 429 || x.status >= 500 ? parseRetryAfter(x.headers['retry-after']) : undefined;
    throw new UpstreamUnavailableError(ctx.label, `token endpoint ${realm.host} answered ${x.status}`, retry);
  }
  const body = await readCapped(x, MAX_TOKEN_ANSWER, ctx.label, ctx.timeouts);
  const answer = body ? parseJson(body) : undefined;
  const token = typeof answer?.token === 'string' && answer.token ? answer.token
    : typeof answer?.access_token === 'string' && answer.access_token ? answer.access_token : undefined;
  if (!token) throw new UpstreamUnavailableError(ctx.label, `token endpoint ${realm.host} sent no token`);
  const expiresIn = typeof answer?.expires_in === 'number' && answer.expires_in > 0 ? answer.expires_in : DEFAULT_EXPIRES_IN;
  return { token, expiresIn };
}

/**
 * The realm as a URL: http(s) only (a `file:` or other scheme is an upstream trying something), and never
 * plain http behind an https upstream (the rule's credentials would cross the network in clear).
 */
function realmUrl(realm: string, ctx: TokenContext): URL {
  let url: URL;
  try {
    url = new URL(realm);
  } catch {
    throw new UpstreamUnavailableError(ctx.label, 'token realm is not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UpstreamUnavailableError(ctx.label, `token realm scheme ${url.protocol} refused: http(s) only`);
  }
  if (url.protocol === 'http:' && ctx.upstream.protocol === 'https:') {
    throw new UpstreamUnavailableError(ctx.label, `token realm ${url.host} is plain http behind an https upstream: refused`);
  }
  if (url.username || url.password) throw new UpstreamUnavailableError(ctx.label, 'token realm carries credentials: refused');
  return url;
}

function parseJson(bytes: Uint8Array): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(bytes).toString('utf8'));
    return v && typeof v === 'object' ? v as Record<string, unknown> : undefined;
  } catch {
    return undefined;
  }
}
