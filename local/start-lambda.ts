/**
 * `npm run start:lambda`: the cloud topology on this machine. The built Lambda bundle behind a local
 * API Gateway (HTTP API 2.0 events, 10 MB bodies, 6 MB events, 30 s) on 127.0.0.1:5000 (PORT), and the
 * upload service (the Node host, as in the Fargate container) on 127.0.0.1:5001 (UPLOAD_PORT), which
 * upload sessions are sent to. STRATUS_UPLOAD_SERVICE=off runs Lambda-only. Same backends as `npm start`.
 */
import { jsonLogger } from '../lambda/shared/logger';
import { chooseBlobDelivery } from '../lambda/hosts/node/blob-delivery';
import { startNodeHost } from '../lambda/hosts/node/main';
import { createApiGateway, HttpApiHandler } from './api-gateway/api-gateway';
import { buildLambdaBundle } from './bundle/build-bundle';
import { runUntilSignal, startLocalStack } from './local-stack';
import { assertPortFree } from './port-check';
import { startupFailureText } from './startup-error';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(): Promise<void> {
  const env = process.env;
  const port = Number(env.PORT ?? 5000);
  const uploadPort = Number(env.UPLOAD_PORT ?? 5001);
  const host = env.HOST ?? '127.0.0.1';
  const withUploadService = env.STRATUS_UPLOAD_SERVICE !== 'off';
  const logger = jsonLogger({ service: 'stratus-local-cloud' });

  await assertPortFree(host, port); // before starting backends, so a taken port fails fast and clearly
  if (withUploadService) await assertPortFree(host, uploadPort);
  const stack = await startLocalStack(env, logger);
  const { settings, auth, backends, dataDir } = stack;
  const uploadBaseUrl = withUploadService ? `http://${host}:${uploadPort}` : '';
  const uploadService = withUploadService
    ? await startNodeHost({
      port: uploadPort, host, settings, logger: jsonLogger({ service: 'stratus-upload-service' }), createStorage: false, auth: auth.host,
    })
    : undefined;

  // The function reads its configuration from its environment, as in AWS.
  Object.assign(process.env, backends.env, auth.env, { STRATUS_UPLOAD_BASE_URL: uploadBaseUrl });
  const bundle = await buildLambdaBundle();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { handler } = require(bundle.file) as { handler: HttpApiHandler };
  const gateway = createApiGateway(handler, logger);
  await new Promise<void>((ok) => gateway.listen(port, host, ok));
  runUntilSignal(stack, `http://${host}:${port}`, uploadService ? [gateway, uploadService] : [gateway], logger);
  logger.info(`Stratus (local cloud topology) listening on http://${host}:${port}`, {
    lambdaBundleKiB: Math.round(bundle.bytes / 1024),
    uploadService: uploadService ? uploadBaseUrl : 'off (Lambda-only: request bodies up to about 4.4 MiB)', auth: auth.status,
    s3: settings.s3.endpoint, dynamodb: settings.dynamodb.endpoint, dataDir,
  });
  // Lambda never streams blob bytes: pulls follow a redirect to an S3 that other machines cannot reach.
  if (chooseBlobDelivery(settings, host).delivery === 'proxy') {
    logger.warn(`blob GETs redirect to S3 at ${settings.s3.endpoint}, which other machines cannot reach: serve them with npm start`);
  }
}

main().catch((err) => {
  process.stderr.write(`Stratus failed to start: ${startupFailureText(err)}\n`);
  process.exit(1);
});
