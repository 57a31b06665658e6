/**
 * `npm start`: the registry on 127.0.0.1:5000 (PORT, HOST) with embedded local backends, a local S3
 * server and DynamoDB Local, keeping data under STRATUS_DATA_DIR (.stratus/data) across restarts.
 * S3_ENDPOINT / DYNAMODB_ENDPOINT point it at other servers (MinIO, RGW, DynamoDB Local elsewhere);
 * STRATUS_LOCAL_BACKENDS=off uses the AWS SDK's defaults for whichever endpoint is unset.
 */
import { jsonLogger } from '../lambda/shared/logger';
import { startNodeHost } from '../lambda/hosts/node/main';
import { loadTls } from '../lambda/hosts/node/tls';
import { settingsFromEnv } from '../lambda/hosts/settings';
import { runUntilSignal, startLocalStack } from './local-stack';
import { assertPortFree } from './port-check';
import { startupFailureText } from './startup-error';

// The pinned SDK runs on Node 20; its notice about future releases needing Node 22 is not for users here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(): Promise<void> {
  const env = process.env;
  const port = Number(env.PORT ?? 5000);
  const host = env.HOST ?? '127.0.0.1';
  const logger = jsonLogger({ service: 'stratus' });

  await assertPortFree(host, port); // before starting backends, so a taken port fails fast and clearly
  // Bad STRATUS_* settings and unreadable TLS files stop the start before any backend runs.
  const early = settingsFromEnv(env);
  if (early.tls) loadTls(early.tls);
  const stack = await startLocalStack(env, logger);
  const { settings, auth, dataDir } = stack;
  const server = await startNodeHost({ port, host, settings, logger, createStorage: false, auth: auth.host, tls: settings.tls });
  const url = `${settings.tls ? 'https' : 'http'}://${host}:${port}`;
  runUntilSignal(stack, url, [server], logger);
  logger.info(`Stratus registry listening on ${url}${settings.publicUrl ? ` as ${settings.publicUrl}` : ''} (${auth.status})`, {
    s3: settings.s3.endpoint ?? 'AWS', bucket: settings.bucket,
    dynamodb: settings.dynamodb.endpoint ?? 'AWS', table: settings.table, dataDir,
  });
}

main().catch((err) => {
  process.stderr.write(`Stratus failed to start: ${startupFailureText(err)}\n`);
  process.exit(1);
});
