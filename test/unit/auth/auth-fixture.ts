import { generateSigningKey } from '../../../lambda/auth/signing-keys/generate';
import { hashPassword } from '../../../lambda/auth/passwords';
import type { KeySet } from '../../../lambda/ports/key-store';
import { defaultConfig } from '../../../lambda/core/config';
import { silentLogger } from '../../../lambda/shared/logger';
import { createRegistry } from '../../../lambda/core/registry';
import { MemoryAuthStore } from '../fakes/memory-auth-store';
import { MemoryBlobStore } from '../fakes/memory-blob-store';
import { MemoryMetadataStore } from '../fakes/memory-metadata-store';
import { sender } from '../fakes/registry-under-test';

/** A registry core with auth on, on in-memory fakes and a clock the test moves. */
export async function authRegistryOnFakes() {
  const clock = { now: Date.UTC(2030, 0, 1) };
  const store = new MemoryAuthStore();
  const keys: KeySet = { current: await generateSigningKey(clock.now), previous: [] };
  const warnings: Array<Record<string, unknown>> = [];
  const logger = { ...silentLogger, warn: (message: string, fields?: Record<string, unknown>) => warnings.push({ message, ...fields }) };
  const deps = {
    blobs: new MemoryBlobStore(defaultConfig.minPartSize), meta: new MemoryMetadataStore(), logger, config: defaultConfig,
    now: () => clock.now,
    auth: { store, keys: async () => keys, service: 'stratus', tokenTtlSeconds: 300, refreshTtlSeconds: 86400 },
  };
  const send = sender(createRegistry(deps));
  return { clock, store, keys, deps, send, warnings };
}

/** A Basic Authorization header. */
export function basic(user: string, password: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}

/** Adds a user with a cheap hash (cost 4: tests only). */
export async function addUser(store: MemoryAuthStore, name: string, password: string, grants: Array<{ pattern: string; actions: Array<'pull' | 'push' | 'delete'> }>, extra = {}) {
  await store.putUser({ name, passwordHash: await hashPassword(password, 4), grants, catalog: false, admin: false, ...extra });
}
