import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { FileMirrorCredentials } from '../adapters/file/mirror-credentials-file';
import { regionOfArn, SecretsManagerCredentials } from '../adapters/secrets-manager/secrets-manager-credentials';
import type { SecretsManagerSend } from '../adapters/secrets-manager/secrets-manager-key-store';
import type { UpstreamCredentialSource } from '../ports/mirror-store';

/** Where a host reads mirror rules' upstream credentials from. */
export interface MirrorCredentialSettings {
  /**
   * STRATUS_MIRROR_CREDENTIALS_DIR: the local data directory's `mirror-credentials/` (the local runner sets
   * it). Absent in AWS, where a rule's credentials are a Secrets Manager ARN.
   */
  mirrorCredentialsDir?: string;
}

/** The settings from the environment. */
export function mirrorCredentialSettingsFromEnv(env: NodeJS.ProcessEnv): MirrorCredentialSettings {
  return { mirrorCredentialsDir: env.STRATUS_MIRROR_CREDENTIALS_DIR || undefined };
}

/**
 * The credential source buildDeps hands to the mirror: a reference that is an ARN is read from Secrets
 * Manager (a client per region, made on first use; the function's role may read only the stack's
 * mirrorCredentialSecretArns), any other from the credentials folder. A file reference on a host without
 * the folder throws, saying what to do, rather than asking the upstream anonymously.
 */
export function credentialSourceFor(
  settings: MirrorCredentialSettings,
  secretsClient: (region: string | undefined) => SecretsManagerSend = (region) => new SecretsManagerClient({ region }),
): UpstreamCredentialSource {
  const clients = new Map<string, SecretsManagerSend>();
  const secrets = new SecretsManagerCredentials((arn) => {
    const region = regionOfArn(arn) ?? '';
    let client = clients.get(region);
    if (!client) clients.set(region, (client = secretsClient(region || undefined)));
    return client;
  });
  const files = settings.mirrorCredentialsDir ? new FileMirrorCredentials(settings.mirrorCredentialsDir) : undefined;
  return {
    get: async (ref) => {
      if (ref.startsWith('arn:')) return secrets.get(ref);
      if (!files) {
        throw new Error(`mirror credentials "${ref.slice(0, 80)}" name a local file, and this host has no STRATUS_MIRROR_CREDENTIALS_DIR: `
          + 'in AWS give the rule a Secrets Manager ARN (npx stratus mirror add ... --credentials-secret-arn)');
      }
      return files.get(ref);
    },
  };
}
