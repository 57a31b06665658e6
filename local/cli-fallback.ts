import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import type { LocalBackends, LocalFallback, LocalTable } from '../cli/local-fallback';
import { createDocumentClient, ensureTable } from '../lambda/adapters/dynamodb/table';
import { createS3Client, ensureBucket } from '../lambda/adapters/s3/s3-client';
import { startDynamoDbLocal } from './backends/dynamodb-local';
import { LOCAL_S3_CREDENTIALS } from './backends/s3-server';
import { startLocalS3Process } from './backends/s3-server-process';
import { prepareDataDir } from './data-dir';
import { lockDataDir } from './data-dir-lock';
import { localDataDir, readEndpoints } from './endpoints-file';

const DYNAMODB_LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** `npx stratus` without --table: the local backends of `npm start`, wired into the CLI by bin/stratus-cli.ts. */
export const localFallback: LocalFallback = {
  dataDir: localDataDir,
  openTable: openLocalTable,
  openBackends: openLocalBackends,
};

/**
 * The table of `npm start` on `dataDir`: its running DynamoDB (from endpoints.json), or, when it is
 * stopped, DynamoDB Local started on <dataDir>/dynamodb for this command alone. `close` stops what was
 * started (the caller destroys `doc`).
 */
async function openLocalTable(dataDir: string, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<LocalTable> {
  const running = readEndpoints(dataDir);
  const table = running?.table ?? env.STRATUS_TABLE ?? 'stratus';
  if (running?.dynamodbEndpoint && (await answers(running.dynamodbEndpoint, 2000))) {
    const doc = createDocumentClient({ endpoint: running.dynamodbEndpoint, credentials: DYNAMODB_LOCAL_CREDENTIALS });
    await ensureTable(doc, table);
    return { doc, table, description: `table ${table} of the running npm start (${running.dynamodbEndpoint})`, close: async () => undefined };
  }
  // Held while this command's DynamoDB Local runs, so npm start cannot start on the same files meanwhile.
  prepareDataDir(dataDir);
  const lock = lockDataDir(dataDir, 'npx stratus');
  log(`npm start is not running: starting DynamoDB Local on ${join(dataDir, 'dynamodb')} for this command`);
  const ddb = await startDynamoDbLocal({ dataDir: join(dataDir, 'dynamodb'), silent: true }).catch((err) => {
    lock.release();
    throw err;
  });
  const stop = async () => {
    await ddb.stop();
    lock.release();
  };
  const doc = createDocumentClient({ endpoint: ddb.endpoint, region: ddb.region, credentials: DYNAMODB_LOCAL_CREDENTIALS });
  try {
    await ensureTable(doc, table);
  } catch (err) {
    await stop();
    throw err;
  }
  return { doc, table, description: `table ${table} in ${dataDir}`, close: stop };
}

/**
 * The backends of `npm start` on `dataDir`: its running ones (from endpoints.json), or, when it is
 * stopped, DynamoDB Local and the local S3 server started on the directory for this command alone
 * (holding the directory's lock, so `npm start` cannot start on the same files meanwhile).
 */
async function openLocalBackends(dataDir: string, env: NodeJS.ProcessEnv, role: string, log: (line: string) => void): Promise<LocalBackends> {
  const running = readEndpoints(dataDir);
  const bucket = running?.bucket ?? env.STRATUS_BUCKET ?? 'stratus-blobs';
  const table = running?.table ?? env.STRATUS_TABLE ?? 'stratus';
  // npm start on another S3 (S3_ENDPOINT) signs with the AWS_* keys; the embedded one knows only its own
  const s3Credentials = env.S3_ENDPOINT && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
    ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY } : LOCAL_S3_CREDENTIALS;
  if (running?.dynamodbEndpoint && running.s3Endpoint && (await answers(running.dynamodbEndpoint, 3000))) {
    return open(running.s3Endpoint, running.dynamodbEndpoint, `the running npm start (${running.registry ?? dataDir})`, async () => undefined);
  }

  prepareDataDir(dataDir);
  const lock = lockDataDir(dataDir, role);
  log(`npm start is not running: starting the local S3 server and DynamoDB Local on ${dataDir} for this command`);
  const stops: Array<() => Promise<void>> = [async () => lock.release()];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop();
  };
  try {
    const [s3, ddb] = await Promise.all([
      startLocalS3Process({ dataDir: join(dataDir, 's3') }).then((s) => (stops.push(() => s.stop()), s)),
      startDynamoDbLocal({ dataDir: join(dataDir, 'dynamodb'), silent: true }).then((d) => (stops.push(() => d.stop()), d)),
    ]);
    return await open(s3.endpoint, ddb.endpoint, `the data directory ${dataDir}`, stopAll);
  } catch (err) {
    await stopAll();
    throw err;
  }

  async function open(s3Endpoint: string, dynamodbEndpoint: string, description: string, stop: () => Promise<void>): Promise<LocalBackends> {
    const s3 = createS3Client({ endpoint: s3Endpoint, credentials: s3Credentials, forcePathStyle: true });
    const doc = createDocumentClient({ endpoint: dynamodbEndpoint, credentials: DYNAMODB_LOCAL_CREDENTIALS });
    const dynamodb = new DynamoDBClient({ endpoint: dynamodbEndpoint, region: 'us-east-1', credentials: DYNAMODB_LOCAL_CREDENTIALS });
    const close = async () => {
      s3.destroy();
      doc.destroy();
      dynamodb.destroy();
      await stop();
    };
    try {
      await ensureBucket(s3, bucket);
      await ensureTable(doc, table);
    } catch (err) {
      await close();
      throw err;
    }
    return { s3, dynamodb, bucket, table, description, close };
  }
}

/** True when a DynamoDB answers at the endpoint within `timeoutMs`. */
async function answers(endpoint: string, timeoutMs: number): Promise<boolean> {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: DYNAMODB_LOCAL_CREDENTIALS, maxAttempts: 1 });
  try {
    await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(timeoutMs) });
    return true;
  } catch {
    return false;
  } finally {
    client.destroy();
  }
}
