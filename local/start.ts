/**
 * `npm start`: the registry on 127.0.0.1:5000 (PORT, HOST) with embedded local backends, a local S3
 * server and DynamoDB Local, keeping data under STRATUS_DATA_DIR (.stratus/data) across restarts.
 * S3_ENDPOINT / DYNAMODB_ENDPOINT point it at other servers (MinIO, RGW, DynamoDB Local elsewhere);
 * STRATUS_LOCAL_BACKENDS=off uses the AWS SDK's defaults for whichever endpoint is unset.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { jsonLogger } from '../lambda/core/logger';
import { startNodeHost } from '../lambda/hosts/node/main';
import { ensureStorage, settingsFromEnv } from '../lambda/hosts/settings';
import { prepareLocalAuth } from './auth-setup';
import { startLocalBackends } from './backends/embedded';

// The pinned SDK runs on Node 20; its notice about future releases needing Node 22 is not for users here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(): Promise<void> {
  const env = process.env;
  const port = Number(env.PORT ?? 5000);
  const host = env.HOST ?? '127.0.0.1';
  const dataDir = resolve(env.STRATUS_DATA_DIR ?? '.stratus/data');
  mkdirSync(dataDir, { recursive: true });
  const logger = jsonLogger({ service: 'stratus' });

  logger.info('starting local backends', { dataDir });
  const backends = await startLocalBackends(env, dataDir);
  const settings = settingsFromEnv({ ...env, ...backends.env });
  await ensureStorage(settings);
  const auth = await prepareLocalAuth(env, dataDir, settings, logger);
  const server = await startNodeHost({ port, host, settings, logger, createStorage: false, auth: auth.host });
  // Lets `npx stratus` (user management) reach this registry's backends while it runs.
  const endpointsFile = join(dataDir, 'endpoints.json');
  writeFileSync(endpointsFile, JSON.stringify({
    registry: `http://${host}:${port}`, dynamodbEndpoint: settings.dynamodb.endpoint, table: settings.table,
    s3Endpoint: settings.s3.endpoint, bucket: settings.bucket,
  }, null, 2));
  logger.info(`Stratus registry listening on http://${host}:${port} (${auth.status})`, {
    s3: settings.s3.endpoint ?? 'AWS', bucket: settings.bucket,
    dynamodb: settings.dynamodb.endpoint ?? 'AWS', table: settings.table, dataDir,
  });

  const stop = async (signal: string) => {
    logger.info('shutting down', { signal });
    rmSync(endpointsFile, { force: true });
    server.close();
    server.closeAllConnections();
    await backends.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err) => {
  process.stderr.write(`Stratus failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
