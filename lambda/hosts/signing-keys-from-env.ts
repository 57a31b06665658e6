import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { FileKeySetStore } from '../adapters/file/file-key-store';
import { SecretsManagerKeySetStore } from '../adapters/secrets-manager/secrets-manager-key-store';
import type { KeySetStore } from '../ports/key-store';

/**
 * Where a host finds its token signing keys: the Secrets Manager secret the CDK stack creates
 * (STRATUS_SIGNING_KEYS_SECRET), or a local file (STRATUS_SIGNING_KEYS_FILE). Undefined when neither is set.
 */
export function keySetStoreFromEnv(env: NodeJS.ProcessEnv): KeySetStore | undefined {
  if (env.STRATUS_SIGNING_KEYS_SECRET) {
    return new SecretsManagerKeySetStore(new SecretsManagerClient({ region: env.AWS_REGION }), env.STRATUS_SIGNING_KEYS_SECRET);
  }
  if (env.STRATUS_SIGNING_KEYS_FILE) return new FileKeySetStore(env.STRATUS_SIGNING_KEYS_FILE);
  return undefined;
}

/** The loader buildDeps wants, when a key store is configured. */
export function keyLoaderFromEnv(env: NodeJS.ProcessEnv): { keys?: () => ReturnType<KeySetStore['load']> } {
  const store = keySetStoreFromEnv(env);
  return store ? { keys: () => store.load() } : {};
}
