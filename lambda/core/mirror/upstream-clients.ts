import { OciError } from '../../oci/errors';
import type { MirrorRule, UpstreamCredentials, UpstreamCredentialSource } from '../../ports/mirror-store';
import type { Logger } from '../../shared/logger';
import { UpstreamDeniedError, UpstreamError, UpstreamFactory, UpstreamRegistry, UpstreamUnavailableError } from '../../ports/upstream-registry';

/** How long a rule's client (and the upstream tokens it caches) is reused before credentials are read again. */
const CLIENT_REUSE_MS = 5 * 60_000;

/**
 * The upstream client of each rule, built once per CLIENT_REUSE_MS per process with the rule's credentials
 * (a changed rule, upstream or credentials reference gets a new client at once).
 */
export class UpstreamClients {
  private readonly clients = new Map<string, { at: number; client: Promise<UpstreamRegistry> }>();

  constructor(
    private readonly factory: UpstreamFactory,
    private readonly credentials: UpstreamCredentialSource,
    private readonly now: () => number,
    private readonly logger: Logger,
  ) {}

  forRule(rule: MirrorRule): Promise<UpstreamRegistry> {
    const key = `${rule.prefix}\u0000${rule.upstream}\u0000${rule.credentialsRef ?? ''}`;
    const cached = this.clients.get(key);
    if (cached && this.now() - cached.at < CLIENT_REUSE_MS) return cached.client;
    const client = this.build(rule);
    this.clients.set(key, { at: this.now(), client });
    client.catch(() => this.clients.delete(key));
    return client;
  }

  private async build(rule: MirrorRule): Promise<UpstreamRegistry> {
    if (!rule.credentialsRef) return this.factory(rule, null);
    let credentials: UpstreamCredentials | null;
    try {
      credentials = await this.credentials.get(rule.credentialsRef);
    } catch (err) {
      // The reason goes to the log only: it may name a file or a secret the caller has no business knowing.
      this.logger.error('mirror: upstream credentials could not be read', { prefix: rule.prefix, error: String(err) });
      throw new OciError('UNAVAILABLE', `mirror rule '${rule.prefix}': its upstream credentials could not be read`);
    }
    if (!credentials) {
      // An operator's mistake, not the caller's: 503 (Docker's daemon then falls back to the upstream itself).
      this.logger.error('mirror: upstream credentials missing', { prefix: rule.prefix, credentialsRef: rule.credentialsRef });
      throw new OciError('UNAVAILABLE', `mirror rule '${rule.prefix}': its upstream credentials are missing`);
    }
    return this.factory(rule, credentials);
  }
}

/** Seconds a client is told to wait when the upstream gave no Retry-After. */
export const DEFAULT_RETRY_AFTER_SECONDS = 10;

/**
 * What a caller sees of an upstream failure when nothing cached can answer: unavailable -> 503 with
 * Retry-After; refused (401/403: a private or, on Docker Hub, a missing repository) -> the `unknown` error.
 */
export function upstreamFailure(err: UpstreamError, unknown: () => OciError): OciError {
  if (err instanceof UpstreamUnavailableError) {
    const retry = err.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS;
    return new OciError('UNAVAILABLE', `upstream ${err.upstream} is unavailable (${err.reason}) and nothing is cached: try again later`, {
      headers: { 'retry-after': String(retry) },
    });
  }
  if (err instanceof UpstreamDeniedError) {
    const e = unknown();
    return new OciError(e.code, `${e.message} (upstream ${err.upstream} refused: unknown there, or private)`, { detail: e.detail });
  }
  return unknown();
}

/** Whether an error came from asking an upstream (and may be answered from the cache instead). */
export function isUpstreamError(err: unknown): err is UpstreamError {
  return err instanceof UpstreamError;
}

/** A short, log-safe reason of a failure to fill from upstream. */
export function reasonOf(err: unknown): string {
  if (err instanceof UpstreamError) return err.reason;
  return err instanceof Error ? err.message : String(err);
}
