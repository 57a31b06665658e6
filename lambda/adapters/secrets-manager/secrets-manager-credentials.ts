import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { UpstreamCredentials, UpstreamCredentialSource } from '../../ports/mirror-store';
import { parseCredentials } from '../file/mirror-credentials-file';
import type { SecretsManagerSend } from './secrets-manager-key-store';

/** How long a secret's value is served from memory. @default 300 s: a changed password reaches every host within it. */
export const CREDENTIALS_CACHE_SECONDS = 300;

/**
 * Upstream credentials in Secrets Manager secrets (the rule's credentialsRef is the secret's ARN), holding
 * JSON {"username","password"}. Each secret is read at most once per `cacheSeconds`; reads of one secret
 * in flight at once share one call. A secret that does not exist is null; one in another shape throws
 * (with the ARN only: its value may be a password).
 */
export class SecretsManagerCredentials implements UpstreamCredentialSource {
  private readonly cache = new Map<string, { value: Promise<UpstreamCredentials | null>; until: number }>();
  private readonly cacheMs: number;

  constructor(
    private readonly clientFor: (arn: string) => SecretsManagerSend,
    opts: { cacheSeconds?: number; now?: () => number } = {},
  ) {
    this.cacheMs = (opts.cacheSeconds ?? CREDENTIALS_CACHE_SECONDS) * 1000;
    this.now = opts.now ?? Date.now;
  }

  private readonly now: () => number;

  get(arn: string): Promise<UpstreamCredentials | null> {
    const now = this.now();
    const hit = this.cache.get(arn);
    if (hit && hit.until > now) return hit.value;
    const value = this.read(arn);
    this.cache.set(arn, { value, until: now + this.cacheMs });
    value.catch(() => this.cache.delete(arn)); // a failure is not remembered: the next fill asks again
    return value;
  }

  private async read(arn: string): Promise<UpstreamCredentials | null> {
    let secret: string | undefined;
    try {
      secret = (await this.clientFor(arn).send(new GetSecretValueCommand({ SecretId: arn }))).SecretString;
    } catch (err) {
      if ((err as { name?: string }).name === 'ResourceNotFoundException') return null;
      throw err;
    }
    const creds = parseCredentials(secret);
    if (!creds) throw new Error(`secret ${arn} does not hold JSON {"username": ..., "password": ...}: put-secret-value with that shape`);
    return creds;
  }
}

/** The region of a Secrets Manager ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>), or undefined. */
export function regionOfArn(arn: string): string | undefined {
  const m = /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):\d{12}:secret:.+$/.exec(arn);
  return m?.[1];
}
