import { MediaType, bareMediaType } from '../../oci/media-types';
import { parseName, parseReference } from '../../oci/names';
import { parseDigest } from '../../oci/digest';
import type { MirrorRule, UpstreamCredentials } from '../../ports/mirror-store';
import {
  UpstreamBlob, UpstreamDeniedError, UpstreamFactory, UpstreamManifest, UpstreamManifestHead, UpstreamRegistry,
  UpstreamUnavailableError,
} from '../../ports/upstream-registry';
import { Logger, silentLogger } from '../../shared/logger';
import { Agents, bodyOf, discard, exchange, Exchange, keepAliveAgents, readCapped, UpstreamTimeouts, UPSTREAM_TIMEOUTS } from './http-exchange';
import { settle } from './outcome';
import { basicAuthorization, credentialsFingerprint, fetchToken, TokenCache } from './token-auth';
import { Challenge, parseChallenge } from './www-authenticate';

/** Every manifest and index media type the registry stores, so the upstream sends the image as it is. */
export const MANIFEST_ACCEPT = [MediaType.OCI_INDEX, MediaType.DOCKER_MANIFEST_LIST, MediaType.OCI_MANIFEST, MediaType.DOCKER_MANIFEST].join(', ');

/** Redirect hops followed at most (Docker Hub sends one, to its CDN). */
const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Settings of the HTTP upstream client; all optional. */
export interface HttpUpstreamOptions {
  /** @default UPSTREAM_TIMEOUTS */
  timeouts?: UpstreamTimeouts;
  /** Largest manifest read from an upstream. @default 4 MiB */
  maxManifestBytes?: number;
  /** One info line per upstream request and token request (never a credential, token or query string). */
  logger?: Logger;
  /** The clock for token lifetimes (tests). */
  now?: () => number;
  /** @default 'stratus-mirror' */
  userAgent?: string;
}

/** What every client made by one factory shares: connections, tokens and the challenges seen. */
interface Shared {
  timeouts: UpstreamTimeouts;
  maxManifestBytes: number;
  logger: Logger;
  userAgent: string;
  agents: Agents;
  tokens: TokenCache;
  /** The challenge each upstream (and set of credentials) last sent, so later requests answer it up front. */
  challenges: Map<string, Challenge>;
}

/**
 * The factory of HTTP upstream clients. Build it once per process (host entry): its clients share
 * kept-alive connections and cached tokens, across requests and warm Lambda invocations.
 */
export function httpUpstreamFactory(options: HttpUpstreamOptions = {}): UpstreamFactory {
  const shared: Shared = {
    timeouts: options.timeouts ?? UPSTREAM_TIMEOUTS,
    maxManifestBytes: options.maxManifestBytes ?? 4 * 1024 * 1024,
    logger: options.logger ?? silentLogger,
    userAgent: options.userAgent ?? 'stratus-mirror',
    agents: keepAliveAgents(),
    tokens: new TokenCache(options.now ?? Date.now),
    challenges: new Map(),
  };
  return (rule: MirrorRule, credentials: UpstreamCredentials | null) => new HttpUpstreamRegistry(rule.upstream, credentials, shared);
}

/**
 * An upstream registry over HTTP(S): Docker's token dance or Basic on a 401, manifests read whole (capped),
 * blobs streamed, redirects followed by hand so that Authorization never leaves the upstream's origin.
 */
class HttpUpstreamRegistry implements UpstreamRegistry {
  private readonly base: URL;
  private readonly label: string;
  private readonly authKey: string;

  constructor(upstream: string, private readonly credentials: UpstreamCredentials | null, private readonly s: Shared) {
    this.base = new URL(upstream);
    this.label = this.base.origin;
    this.authKey = `${this.base.origin} ${credentialsFingerprint(credentials)}`;
  }

  async headManifest(name: string, reference: string): Promise<UpstreamManifestHead | null> {
    const x = await this.request('HEAD', name, manifestPath(name, reference), MANIFEST_ACCEPT, false);
    if (!(await settle(x, this.label, this.s.timeouts))) return null;
    discard(x);
    const size = Number(x.headers['content-length']);
    return {
      ...digestHeader(x),
      mediaType: bareMediaType(x.headers['content-type']),
      ...(x.headers['content-length'] !== undefined && Number.isFinite(size) ? { size } : {}),
    };
  }

  async getManifest(name: string, reference: string): Promise<UpstreamManifest | null> {
    const x = await this.request('GET', name, manifestPath(name, reference), MANIFEST_ACCEPT, false);
    if (!(await settle(x, this.label, this.s.timeouts))) return null;
    const bytes = await readCapped(x, this.s.maxManifestBytes, this.label, this.s.timeouts);
    if (!bytes) throw new UpstreamUnavailableError(this.label, `manifest larger than ${this.s.maxManifestBytes} bytes: refused`);
    return { bytes, mediaType: bareMediaType(x.headers['content-type']), ...digestHeader(x) };
  }

  async headBlob(name: string, digest: string): Promise<{ size: number } | null> {
    const x = await this.request('HEAD', name, blobPath(name, digest), undefined, true);
    if (!(await settle(x, this.label, this.s.timeouts))) return null;
    discard(x);
    const size = Number(x.headers['content-length']);
    if (x.headers['content-length'] === undefined || !Number.isFinite(size)) {
      throw new UpstreamUnavailableError(this.label, 'blob HEAD without a Content-Length');
    }
    return { size };
  }

  async getBlob(name: string, digest: string): Promise<UpstreamBlob | null> {
    const x = await this.request('GET', name, blobPath(name, digest), undefined, true);
    if (!(await settle(x, this.label, this.s.timeouts))) return null;
    const size = Number(x.headers['content-length']);
    return {
      ...(x.headers['content-length'] !== undefined && Number.isFinite(size) ? { size } : {}),
      body: bodyOf(x, this.label, this.s.timeouts.idleMs),
      cancel: async () => { x.response.destroy(); },
    };
  }

  /**
   * One request as the upstream wants it: answered up front with what worked before (a cached token, Basic),
   * and on a 401 once more after answering its challenge. A 401 or 403 after that is UpstreamDeniedError.
   */
  private async request(method: 'GET' | 'HEAD', name: string, path: string, accept: string | undefined, elsewhere: boolean): Promise<Exchange> {
    const url = new URL(path, this.base);
    const tokenKey = `${this.authKey} ${name}`;
    const known = this.s.challenges.get(this.authKey);
    let authorization = known ? await this.answer(known, name, tokenKey) : undefined;
    let x = await this.follow(method, url, accept, authorization, elsewhere);
    if (x.status !== 401 || !sameOrigin(x.url, this.base)) return x.exchange;
    discard(x.exchange);
    const challenge = parseChallenge(x.exchange.headers['www-authenticate']);
    if (!challenge) throw new UpstreamDeniedError(this.label, `${method} ${path}: 401 without a Bearer or Basic challenge`, 401);
    this.s.challenges.set(this.authKey, challenge);
    if (authorization?.startsWith('Bearer ')) this.s.tokens.drop(tokenKey, authorization.slice('Bearer '.length));
    const retried = await this.answer(challenge, name, tokenKey);
    if (retried === authorization) throw new UpstreamDeniedError(this.label, `${method} ${path}: credentials refused (401)`, 401);
    authorization = retried;
    x = await this.follow(method, url, accept, authorization, elsewhere);
    if (x.status === 401) {
      discard(x.exchange);
      throw new UpstreamDeniedError(this.label, `${method} ${path}: refused after authenticating (401)`, 401);
    }
    return x.exchange;
  }

  /** The Authorization header answering a challenge (a token fetched or cached), or Denied when we have nothing to answer with. */
  private async answer(challenge: Challenge, name: string, tokenKey: string): Promise<string> {
    if (challenge.scheme === 'basic') {
      if (!this.credentials) throw new UpstreamDeniedError(this.label, 'upstream asks for Basic credentials and the rule has none', 401);
      return basicAuthorization(this.credentials);
    }
    // Our own scope, not the challenge's: the token is cached for (and only used on) this repository's pulls.
    const scope = `repository:${name}:pull`;
    const token = await this.s.tokens.getOrFetch(tokenKey, () => fetchToken(challenge, scope, this.credentials, {
      upstream: this.base, label: this.label, timeouts: this.s.timeouts, agents: this.s.agents, logger: this.s.logger, userAgent: this.s.userAgent,
    }));
    return `Bearer ${token}`;
  }

  /**
   * Sends the request and follows redirects by hand: Authorization goes only to the upstream's own origin
   * (a CDN or a presigned S3 URL gets none, and S3 refuses a request carrying both), never from https to
   * http. Only blobs (`elsewhere`) may be fetched from another origin: their bytes are checked against
   * the digest; a manifest read by tag cannot be, so it must come from the upstream itself.
   */
  private async follow(
    method: 'GET' | 'HEAD', start: URL, accept: string | undefined, authorization: string | undefined, elsewhere: boolean,
  ): Promise<{ exchange: Exchange; status: number; url: URL }> {
    let url = start;
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = { 'user-agent': this.s.userAgent };
      if (accept) headers.accept = accept;
      if (authorization && sameOrigin(url, this.base)) headers.authorization = authorization;
      const started = Date.now();
      const x = await exchange(url, method, headers, this.s.timeouts, this.s.agents, this.label);
      this.s.logger.info('upstream request', {
        upstream: this.label, method, ...(sameOrigin(url, this.base) ? { path: url.pathname } : { redirectedTo: url.host }),
        status: x.status, ms: Date.now() - started,
      });
      const location = x.headers.location;
      if (!REDIRECTS.has(x.status) || !location) return { exchange: x, status: x.status, url };
      discard(x);
      if (hop >= MAX_REDIRECTS) throw new UpstreamUnavailableError(this.label, `more than ${MAX_REDIRECTS} redirects`);
      const next = URL.canParse(location, url.href) ? new URL(location, url) : undefined;
      if (!next) throw new UpstreamUnavailableError(this.label, 'redirect to an invalid Location');
      if (next.protocol !== 'https:' && next.protocol !== 'http:') throw new UpstreamUnavailableError(this.label, `redirect to ${next.protocol} refused`);
      if (next.protocol === 'http:' && url.protocol === 'https:') throw new UpstreamUnavailableError(this.label, `redirect from https to http://${next.host} refused`);
      if (!elsewhere && !sameOrigin(next, this.base)) throw new UpstreamUnavailableError(this.label, `manifest redirected to another origin (${next.host}): refused`);
      url = next;
    }
  }
}

function manifestPath(name: string, reference: string): string {
  parseReference(reference);
  return `/v2/${parseName(name)}/manifests/${reference}`;
}

function blobPath(name: string, digest: string): string {
  return `/v2/${parseName(name)}/blobs/${parseDigest(digest).value}`;
}

function sameOrigin(a: URL, b: URL): boolean {
  return a.origin === b.origin;
}

function digestHeader(x: Exchange): { digest?: string } {
  const d = x.headers['docker-content-digest'];
  return typeof d === 'string' && d ? { digest: d.trim() } : {};
}
