import { DynamoDbAuthStore } from '../lambda/adapters/dynamodb/dynamodb-auth-store';
import { createDocumentClient } from '../lambda/adapters/dynamodb/table';
import { localKeyFile } from '../lambda/adapters/file/file-key-store';
import type { Logger } from '../lambda/shared/logger';
import { ensureAdmin, forgetAdminPassword } from '../lambda/hosts/admin-bootstrap';
import type { HostAuth, Settings } from '../lambda/hosts/settings';
import { keyLoaderFromEnv } from '../lambda/hosts/signing-keys-from-env';

/** Local auth for `npm start` and `npm run start:lambda`: signing keys in the data dir, the first admin. */
export interface LocalAuth {
  /** The words for the start-up line. */
  status: string;
  /** Environment every local host needs (the signing key file). */
  env: Record<string, string>;
  host: Partial<HostAuth>;
}

/**
 * With STRATUS_AUTH=on: keeps the signing keys in <dataDir>/signing-keys.json and creates the admin when
 * asked. Either way STRATUS_ADMIN_PASSWORD is gone from `env` afterwards.
 */
export async function prepareLocalAuth(env: NodeJS.ProcessEnv, dataDir: string, settings: Settings, logger: Logger): Promise<LocalAuth> {
  try {
    return await prepare(env, dataDir, settings, logger);
  } finally {
    forgetAdminPassword(env);
  }
}

async function prepare(env: NodeJS.ProcessEnv, dataDir: string, settings: Settings, logger: Logger): Promise<LocalAuth> {
  if (!settings.auth) return { status: 'auth off; STRATUS_AUTH=on requires docker login', env: {}, host: {} };
  const keyEnv = { STRATUS_SIGNING_KEYS_FILE: env.STRATUS_SIGNING_KEYS_FILE ?? localKeyFile(dataDir) };
  const host = keyLoaderFromEnv({ ...env, ...keyEnv });
  await host.keys!(); // create the key set now, not on the first login
  const store = new DynamoDbAuthStore(createDocumentClient(settings.dynamodb), settings.table);
  const admin = await ensureAdmin(store, env);
  if (admin === 'created') logger.info('created administrator', { user: env.STRATUS_ADMIN_USER });
  const users = (await store.listUsers()).length;
  const hint = users === 0 ? '; no users yet: set STRATUS_ADMIN_USER/STRATUS_ADMIN_PASSWORD or run `npx stratus user add`' : '';
  return { status: `auth on${hint}`, env: keyEnv, host };
}
