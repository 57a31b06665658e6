import { join } from 'node:path';
import { startDynamoDbLocal } from './dynamodb-local';
import { startLocalS3Process } from './s3-server-process';

/** The backends `npm start` runs itself, and the environment that points the registry at them. */
export interface EmbeddedBackends {
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** Starts a local S3 server and DynamoDB Local unless the environment names endpoints (or turns them off). */
export async function startLocalBackends(env: NodeJS.ProcessEnv, dataDir: string): Promise<EmbeddedBackends> {
  const off = env.STRATUS_LOCAL_BACKENDS === 'off';
  const stops: Array<() => Promise<void>> = [];
  const out: Record<string, string> = {};
  if (!env.S3_ENDPOINT && !off) {
    const s3 = await startLocalS3Process({ dataDir: join(dataDir, 's3'), port: Number(env.STRATUS_S3_PORT ?? 0) });
    stops.push(() => s3.stop());
    Object.assign(out, {
      S3_ENDPOINT: s3.endpoint, AWS_REGION: env.AWS_REGION ?? s3.region,
      AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    });
  }
  if (!env.DYNAMODB_ENDPOINT && !off) {
    const ddb = await startDynamoDbLocal({ dataDir: join(dataDir, 'dynamodb'), port: Number(env.STRATUS_DYNAMODB_PORT ?? 0), silent: true });
    stops.push(() => ddb.stop());
    out.DYNAMODB_ENDPOINT = ddb.endpoint;
  }
  return { env: out, stop: async () => void (await Promise.all(stops.map((s) => s()))) };
}
