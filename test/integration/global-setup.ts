/**
 * Jest globalSetup of the integration project: starts the local S3 (patched s3rver) and DynamoDB
 * Local once per run, on temp data dirs, and publishes their endpoints through the environment
 * (see backend-env.ts). S3_ENDPOINT (+ AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION) or
 * DYNAMODB_ENDPOINT, when set, are used instead of starting that server (MinIO, Ceph RGW, ...).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDynamoDbLocal } from '../../local/backends/dynamodb-local';
import { startLocalS3 } from '../../local/backends/s3-server';
import { BACKEND_ENV_VARS as V } from './backend-env';

/** What global-teardown.ts must stop and delete, kept on globalThis between the two. */
export interface IntegrationBackends {
  stops: Array<() => Promise<void>>;
  tempDir: string;
}
/** The globalThis key holding the IntegrationBackends. */
export const BACKENDS_KEY = '__stratusIntegrationBackends';

function requireEnv(name: string, because: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set when ${because}`);
  return value;
}

export default async function globalSetup(): Promise<void> {
  const tempDir = await mkdtemp(join(tmpdir(), 'stratus-integration-'));
  const state: IntegrationBackends = { stops: [], tempDir };
  (globalThis as Record<string, unknown>)[BACKENDS_KEY] = state;
  const env = process.env;
  // the pinned SDK runs on Node 20; its notice about future releases needing Node 22 is noise here
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

  const s3 = async () => {
    if (env.S3_ENDPOINT) {
      env[V.s3Endpoint] = env.S3_ENDPOINT;
      env[V.s3Region] = env.AWS_REGION || 'us-east-1';
      env[V.s3AccessKeyId] = requireEnv('AWS_ACCESS_KEY_ID', 'S3_ENDPOINT is set');
      env[V.s3SecretAccessKey] = requireEnv('AWS_SECRET_ACCESS_KEY', 'S3_ENDPOINT is set');
      return;
    }
    const local = await startLocalS3({ dataDir: join(tempDir, 's3') });
    state.stops.push(local.stop);
    env[V.s3Endpoint] = local.endpoint;
    env[V.s3Region] = local.region;
    env[V.s3AccessKeyId] = local.accessKeyId;
    env[V.s3SecretAccessKey] = local.secretAccessKey;
  };
  const dynamodb = async () => {
    if (env.DYNAMODB_ENDPOINT) {
      env[V.dynamoDbEndpoint] = env.DYNAMODB_ENDPOINT;
      env[V.dynamoDbRegion] = env.AWS_REGION || 'us-east-1';
      if (env.AWS_ACCESS_KEY_ID) env[V.dynamoDbAccessKeyId] = env.AWS_ACCESS_KEY_ID;
      if (env.AWS_SECRET_ACCESS_KEY) env[V.dynamoDbSecretAccessKey] = env.AWS_SECRET_ACCESS_KEY;
      return;
    }
    const local = await startDynamoDbLocal({ silent: true });
    state.stops.push(local.stop);
    env[V.dynamoDbEndpoint] = local.endpoint;
    env[V.dynamoDbRegion] = local.region;
  };

  const results = await Promise.allSettled([s3(), dynamodb()]);
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) {
    // do not leave one backend running when the other failed to start
    await Promise.allSettled(state.stops.map((stop) => stop()));
    throw failure.reason;
  }
}
