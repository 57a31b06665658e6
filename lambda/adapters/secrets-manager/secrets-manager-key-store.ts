import { createHash } from 'node:crypto';
import {
  GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { KeySet, KeySetStore } from '../../ports/key-store';
import { DEFAULT_KEEP_PREVIOUS_SECONDS, newKeySet, parseKeySet, rotateKeySet, serializeKeySet } from '../../auth/signing-keys/key-set';

/** The one method of the Secrets Manager client the stores and the rotation handler use. */
export type SecretsManagerSend = Pick<SecretsManagerClient, 'send'>;

/** Options of the Secrets Manager store. */
export interface SecretsManagerKeySetStoreOptions {
  /** How long load() serves the key set from memory before reading AWSCURRENT again. @default 300 */
  cacheSeconds?: number;
  /** How long retired keys still verify tokens (for rotate()). @default 86400 (1 day) */
  keepPreviousSeconds?: number;
  now?: () => number;
}

/**
 * The key set in a Secrets Manager secret (AWSCURRENT), cached for `cacheSeconds`. Rotation normally
 * happens through the secret's rotation schedule (lambda/hosts/lambda/rotate-keys.ts); every instance
 * picks the new key up within `cacheSeconds`, and tokens signed before still verify with `previous`.
 */
export class SecretsManagerKeySetStore implements KeySetStore {
  private cached?: { set: KeySet; until: number };
  private readonly cacheMs: number;
  private readonly keepPreviousSeconds: number;
  private readonly now: () => number;

  constructor(private readonly client: SecretsManagerSend, private readonly secretId: string, opts: SecretsManagerKeySetStoreOptions = {}) {
    this.cacheMs = (opts.cacheSeconds ?? 300) * 1000;
    this.keepPreviousSeconds = opts.keepPreviousSeconds ?? DEFAULT_KEEP_PREVIOUS_SECONDS;
    this.now = opts.now ?? Date.now;
  }

  async load(): Promise<KeySet> {
    if (this.cached && this.cached.until > this.now()) return this.cached.set;
    const { set, versionId } = await this.readCurrent();
    if (set) return this.remember(set);
    // A placeholder (the secret as CloudFormation created it, before the first rotation ran): create the
    // first key set. The request token is derived from the placeholder's version, so instances racing
    // here write the same version once; the losers' writes fail and they read the winner's.
    const created = await newKeySet(this.now());
    try {
      await this.client.send(new PutSecretValueCommand({
        SecretId: this.secretId, SecretString: serializeKeySet(created), ClientRequestToken: initToken(versionId),
      }));
      return this.remember(created);
    } catch {
      const again = await this.readCurrent();
      if (!again.set) throw new Error(`secret ${this.secretId} holds no Stratus key set: run aws secretsmanager rotate-secret --secret-id ${this.secretId}`);
      return this.remember(again.set);
    }
  }

  async rotate(): Promise<KeySet> {
    const { set } = await this.readCurrent();
    const rotated = await rotateKeySet(set ?? undefined, this.keepPreviousSeconds, this.now());
    await this.client.send(new PutSecretValueCommand({ SecretId: this.secretId, SecretString: serializeKeySet(rotated) }));
    return this.remember(rotated);
  }

  private async readCurrent(): Promise<{ set: KeySet | null; versionId: string }> {
    const out = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId, VersionStage: 'AWSCURRENT' }));
    return { set: parseKeySet(out.SecretString), versionId: out.VersionId ?? 'none' };
  }

  private remember(set: KeySet): KeySet {
    this.cached = { set, until: this.now() + this.cacheMs };
    return set;
  }
}

/** A request token (32 to 64 characters) that is the same for every instance creating the first key set. */
function initToken(versionId: string): string {
  return `stratus-init-${createHash('sha256').update(versionId).digest('hex').slice(0, 40)}`;
}
