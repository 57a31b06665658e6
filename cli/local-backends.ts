import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { createDocumentClient, ensureTable } from '../lambda/adapters/dynamodb/table';
import { createS3Client, ensureBucket } from '../lambda/adapters/s3/s3-client';
import { startDynamoDbLocal } from '../local/backends/dynamodb-local';
import { LOCAL_S3_CREDENTIALS } from '../local/backends/s3-server';
import { startLocalS3Process } from '../local/backends/s3-server-process';
import { prepareDataDir } from '../local/data-dir';
import { lockDataDir } from '../local/data-dir-lock';
import { readEndpoints } from '../local/endpoints-file';

/** The S3 bucket and DynamoDB table of a local data directory, open for a CLI command. */
export interface LocalBackends {
  s3: S3Client;
  dynamodb: DynamoDBClient;
  bucket: string;
  table: string;
  /** e.g. "the running npm start (http://127.0.0.1:5000)". */
  description: string;
  close(): Promise<void>;
}

const DYNAMODB_LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * The backends of `npm start` on `dataDir`: its running ones (from endpoints.json), or, when it is
 * stopped, DynamoDB Local and the local S3 server started on the directory for this command alone
 * (holding the directory's lock, so `npm start` cannot start on the same files meanwhile).
 */
export async function openLocalBackends(dataDir: string, env: NodeJS.ProcessEnv, role: string, log: (line: string) => void): Promise<LocalBackends> {
  const running = readEndpoints(dataDir);
  const bucket = running?.bucket ?? env.STRATUS_BUCKET ?? 'stratus-blobs';
  const table = running?.table ?? env.STRATUS_TABLE ?? 'stratus';
  // npm start on another S3 (S3_ENDPOINT) signs with the AWS_* keys; the embedded one knows only its own
  const s3Credentials = env.S3_ENDPOINT && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
    ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY } : LOCAL_S3_CREDENTIALS;
  if (running?.dynamodbEndpoint && running.s3Endpoint && (await answers(running.dynamodbEndpoint))) {
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

/** True when a DynamoDB answers at the endpoint within a few seconds. */
async function answers(endpoint: string): Promise<boolean> {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: DYNAMODB_LOCAL_CREDENTIALS, maxAttempts: 1 });
  try {
    await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(3000) });
    return true;
  } catch {
    return false;
  } finally {
    client.destroy();
  }
}
