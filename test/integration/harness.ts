import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { DynamoDbAuthStore } from '../../lambda/adapters/dynamodb/dynamodb-auth-store';
import { createDocumentClient } from '../../lambda/adapters/dynamodb/table';
import { newKeySet } from '../../lambda/auth/signing-keys/key-set';
import type { KeySet } from '../../lambda/ports/key-store';
import { defaultConfig, RegistryConfig } from '../../lambda/core/config';
import type { AuthStore } from '../../lambda/ports/auth-store';
import { jsonLogger, Logger, silentLogger } from '../../lambda/shared/logger';
import { createRegistry } from '../../lambda/core/registry';
import { createNodeServer } from '../../lambda/hosts/node/node-server';
import { AuthSettings, buildDeps, ensureStorage, Settings } from '../../lambda/hosts/settings';
import type { BackendTimeouts } from '../../lambda/adapters/timeouts';
import { backendEnv } from './backend-env';

/**
 * Starts a Stratus registry for one integration test file: the Node HTTP host on an ephemeral port,
 * on the real local S3 and DynamoDB servers started by global-setup.ts, with a bucket and table of its own.
 * REGISTRY_URL points the suite at an already running registry instead (e.g. distribution, for comparison).
 */
export interface TestRegistry {
  /** Base URL without trailing slash, e.g. http://127.0.0.1:41234 */
  url: string;
  /** The settings it runs with (bucket, table, the backends' own endpoints), for tests that inspect the backends. */
  settings?: Settings;
  /** With auth on: the users/grants store (DynamoDB Local, the registry's table) and the signing keys. */
  auth?: { store: AuthStore; keys: KeySet };
  stop(): Promise<void>;
}

/** Options of a test registry: config overrides, or the settings of another one to share its storage. */
export interface TestRegistryOptions {
  config?: Partial<RegistryConfig>;
  /** Run on the same bucket and table as another test registry (a second process of one deployment). */
  shareStorageWith?: TestRegistry;
  /** Told of every S3 and DynamoDB request the registry sends. */
  observeBackendCall?: Settings['observeBackendCall'];
  /**
   * Where the registry reaches its backends instead of the suite's servers (e.g. a fault-injecting proxy in
   * front of them), and the SDK's timeouts and attempts there; storage is still created directly.
   */
  backends?: {
    s3Endpoint?: string;
    dynamodbEndpoint?: string;
    timeouts?: BackendTimeouts;
  };
  /** Where the registry logs (request lines included). @default silent, or JSON on stdout with STRATUS_TEST_LOGS */
  logger?: Logger;
  /** How long the Node host waits for a request body that sends nothing. @default the host's (two minutes) */
  bodyIdleTimeoutMs?: number;
  /** Turns auth on: settings overrides and, optionally, the key set (a fresh one by default). */
  auth?: Partial<AuthSettings> & { keys?: KeySet };
}

export async function startTestRegistry(opts: TestRegistryOptions = {}): Promise<TestRegistry> {
  const external = process.env.REGISTRY_URL;
  if (external) return { url: external.replace(/\/$/, ''), stop: async () => undefined };
  const env = backendEnv();
  const suffix = randomUUID().slice(0, 8);
  const config = opts.config ?? {};
  const settings: Settings = opts.shareStorageWith?.settings ?? {
    bucket: `stratus-test-${suffix}`,
    table: `stratus-test-${suffix}`,
    s3: { endpoint: env.s3.endpoint, region: env.s3.region, credentials: env.s3.credentials },
    dynamodb: { endpoint: env.dynamodb.endpoint, region: env.dynamodb.region, credentials: env.dynamodb.credentials },
    config: { ...defaultConfig, ...config },
  };
  await ensureStorage(settings);
  const logger = opts.logger ?? (process.env.STRATUS_TEST_LOGS ? jsonLogger({ service: 'stratus-test' }) : silentLogger);
  const { keys: givenKeys, ...authOverrides } = opts.auth ?? {};
  const keys = opts.auth ? givenKeys ?? (await newKeySet()) : undefined;
  const auth: AuthSettings | undefined = opts.auth
    ? { service: 'stratus', tokenTtlSeconds: 300, refreshTtlSeconds: 86400, ...authOverrides }
    : undefined;
  const b = opts.backends;
  const reached: Settings = b
    ? {
      ...settings,
      // presigned URLs still name the real S3: tests check what is stored, whatever the proxy does
      s3PublicEndpoint: settings.s3.endpoint,
      s3: { ...settings.s3, endpoint: b.s3Endpoint ?? settings.s3.endpoint, timeouts: b.timeouts },
      dynamodb: { ...settings.dynamodb, endpoint: b.dynamodbEndpoint ?? settings.dynamodb.endpoint, timeouts: b.timeouts },
    }
    : settings;
  const deps = buildDeps({ ...reached, auth, observeBackendCall: opts.observeBackendCall }, logger, keys ? { keys: async () => keys } : {});
  const server = createNodeServer(createRegistry(deps), logger, { bodyIdleTimeoutMs: opts.bodyIdleTimeoutMs });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    settings,
    auth: keys ? { store: new DynamoDbAuthStore(createDocumentClient(settings.dynamodb), settings.table), keys } : undefined,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
