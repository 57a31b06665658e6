import type { Server } from 'node:http';
import type { Logger } from '../lambda/shared/logger';
import { ensureStorage, Settings, settingsFromEnv } from '../lambda/hosts/settings';
import { mirrorCredentialsDir } from '../lambda/adapters/file/mirror-credentials-file';
import { applyBucketCors } from '../lambda/adapters/s3/bucket-cors';
import { createS3Client } from '../lambda/adapters/s3/s3-client';
import { blobCorsRules } from '../lambda/core/http/blob-cors-rules';
import { LocalAuth, prepareLocalAuth } from './auth-setup';
import { EmbeddedBackends, startLocalBackends } from './backends/embedded';
import { prepareDataDir } from './data-dir';
import { DataDirLock, lockDataDir } from './data-dir-lock';
import { localDataDir, writeEndpoints } from './endpoints-file';
import { recoverFromUncleanStop } from './unclean-stop';

/** What every local entry point (`npm start`, `npm run start:lambda`) runs beneath its servers. */
export interface LocalStack {
  dataDir: string;
  backends: EmbeddedBackends;
  settings: Settings;
  auth: LocalAuth;
  /** This process's hold on the data directory (stratus.lock), released on stop. */
  lock: DataDirLock;
}

/**
 * Takes STRATUS_DATA_DIR (.stratus/data; private, locked, recovered after an unclean stop), starts the
 * embedded backends on it, creates bucket and table (the embedded S3's bucket with CORS rules), prepares auth.
 */
export async function startLocalStack(env: NodeJS.ProcessEnv, logger: Logger): Promise<LocalStack> {
  const dataDir = localDataDir(env);
  prepareDataDir(dataDir);
  const lock = lockDataDir(dataDir, 'npm start');
  if (lock.stale) await recoverFromUncleanStop(dataDir, lock.stale, logger);
  logger.info('starting local backends', { dataDir });
  const backends = await startLocalBackends(env, dataDir);
  // Mirror rules' upstream credentials are files here (npx stratus mirror add --username); set in the
  // environment itself, so that start:lambda's function, which reads process.env, finds them too.
  env.STRATUS_MIRROR_CREDENTIALS_DIR = mirrorCredentialsDir(dataDir);
  const settings = settingsFromEnv({ ...env, ...backends.env });
  await ensureStorage(settings);
  // The embedded S3's bucket follows STRATUS_CORS_ORIGIN, also in data directories made before it did; an
  // S3 of the user's own (MinIO, AWS) keeps the CORS configuration its owner gave it.
  if (backends.env.S3_ENDPOINT) {
    const change = await applyBucketCors(createS3Client(settings.s3), settings.bucket, blobCorsRules(settings.config.corsOrigin));
    if (change !== 'unchanged') logger.info('blob bucket CORS configuration updated', { bucket: settings.bucket, change });
  }
  const auth = await prepareLocalAuth(env, dataDir, settings, logger);
  return { dataDir, backends, settings, auth, lock };
}

/**
 * Publishes the running endpoints in <dataDir>/endpoints.json (so `npx stratus` reaches these backends
 * instead of starting a second DynamoDB Local on the same files), and on SIGINT/SIGTERM closes the
 * servers, removes the file and stops the backends.
 */
export function runUntilSignal(stack: LocalStack, registryUrl: string, servers: Server[], logger: Logger): void {
  const { settings } = stack;
  const removeEndpoints = writeEndpoints(stack.dataDir, {
    registry: registryUrl, dynamodbEndpoint: settings.dynamodb.endpoint, table: settings.table,
    s3Endpoint: settings.s3.endpoint, bucket: settings.bucket,
  });
  const stop = async (signal: string) => {
    logger.info('shutting down', { signal });
    removeEndpoints();
    for (const server of servers) {
      server.close();
      server.closeAllConnections();
    }
    await stack.backends.stop();
    stack.lock.release();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}
