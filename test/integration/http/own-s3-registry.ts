/**
 * A registry started the way `npm start` starts it: the Node host (startNodeHost) on the embedded local S3
 * server run as its own process (startLocalS3Process, with its default address) and the suite's DynamoDB
 * Local. For tests of what the embedded S3's address and the host's blob delivery mean to clients.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newKeySet } from '../../../lambda/auth/signing-keys/key-set';
import { DynamoDbAuthStore } from '../../../lambda/adapters/dynamodb/dynamodb-auth-store';
import { createDocumentClient } from '../../../lambda/adapters/dynamodb/table';
import { defaultConfig } from '../../../lambda/core/config';
import { silentLogger } from '../../../lambda/shared/logger';
import { startNodeHost, NodeHostOptions } from '../../../lambda/hosts/node/main';
import type { Settings } from '../../../lambda/hosts/settings';
import type { AuthStore } from '../../../lambda/ports/auth-store';
import { startLocalS3Process } from '../../../local/backends/s3-server-process';
import { backendEnv } from '../backend-env';

/** A running registry on an embedded S3 of its own. */
export interface OwnS3Registry {
  /** e.g. http://127.0.0.1:41234 (https with TLS). */
  url: string;
  /** The embedded S3 server's endpoint, as the registry reaches it. */
  s3Endpoint: string;
  /** The users/grants store, when auth is on. */
  authStore?: AuthStore;
  server: Server;
  stop(): Promise<void>;
}

/** Options: settings overrides (blob delivery, TLS...), the listen host, and auth on or off. */
export interface OwnS3Options {
  settings?: Partial<Settings>;
  host?: string;
  auth?: boolean;
  tls?: NodeHostOptions['tls'];
}

/** Starts the embedded S3 process and the Node host on it; stop() stops both and deletes the data. */
export async function startOwnS3Registry(opts: OwnS3Options = {}): Promise<OwnS3Registry> {
  const dir = mkdtempSync(join(tmpdir(), 'stratus-own-s3-'));
  const s3 = await startLocalS3Process({ dataDir: join(dir, 's3') });
  const env = backendEnv();
  const suffix = randomUUID().slice(0, 8);
  const keys = opts.auth ? await newKeySet() : undefined;
  const settings: Settings = {
    bucket: `stratus-own-${suffix}`,
    table: `stratus-own-${suffix}`,
    s3: { endpoint: s3.endpoint, region: s3.region, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } },
    dynamodb: { endpoint: env.dynamodb.endpoint, region: env.dynamodb.region, credentials: env.dynamodb.credentials },
    config: { ...defaultConfig },
    auth: opts.auth ? { service: 'stratus', tokenTtlSeconds: 300, refreshTtlSeconds: 3600 } : undefined,
    uploadSweepSeconds: 0,
    ...opts.settings,
  };
  try {
    const host = opts.host ?? '127.0.0.1';
    const server = await startNodeHost({
      port: 0, host, settings, logger: silentLogger, createStorage: true, auth: keys ? { keys: async () => keys } : undefined, tls: opts.tls,
    });
    const { port } = server.address() as AddressInfo;
    const shown = host === '0.0.0.0' ? '127.0.0.1' : host;
    return {
      url: `${opts.tls ? 'https' : 'http'}://${shown}:${port}`,
      s3Endpoint: s3.endpoint,
      authStore: keys ? new DynamoDbAuthStore(createDocumentClient(settings.dynamodb), settings.table) : undefined,
      server,
      stop: async () => {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await s3.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await s3.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
