import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbAuthStore } from '../lambda/adapters/dynamodb/dynamodb-auth-store';
import { createDocumentClient, ensureTable } from '../lambda/adapters/dynamodb/table';
import { startDynamoDbLocal } from '../local/backends/dynamodb-local';
import { prepareDataDir } from '../local/data-dir';
import { lockDataDir } from '../local/data-dir-lock';
import { localDataDir, readEndpoints } from '../local/endpoints-file';

/** Where the CLI's commands go: the options that choose it. */
export interface TargetOptions {
  /** A deployed (or any) table: the AWS SDK's defaults, or `endpoint`. Absent = the local backends of `npm start`. */
  table?: string;
  region?: string;
  endpoint?: string;
  /** Data directory of `npm start`. @default STRATUS_DATA_DIR or .stratus/data */
  dataDir?: string;
}

/** An open target: the auth store and how to let go of it. */
export interface Target {
  store: DynamoDbAuthStore;
  /** Human-readable description, e.g. "table stratus at http://127.0.0.1:8000". */
  description: string;
  dataDir: string;
  local: boolean;
  close(): Promise<void>;
}

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** The data directory of `npm start`. */
export function dataDirOf(opts: TargetOptions, env: NodeJS.ProcessEnv): string {
  return localDataDir(env, opts.dataDir);
}

/**
 * Opens the target. --table: that table (with --endpoint, credentials default to local ones when AWS_*
 * are unset). Otherwise the DynamoDB of a running `npm start` (from <dataDir>/endpoints.json), or, when
 * it is not running, DynamoDB Local started on <dataDir>/dynamodb for this command only.
 */
export async function openTarget(opts: TargetOptions, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<Target> {
  const dataDir = dataDirOf(opts, env);
  if (opts.table) {
    const credentials = opts.endpoint && !env.AWS_ACCESS_KEY_ID ? LOCAL_CREDENTIALS : undefined;
    const doc = createDocumentClient({ endpoint: opts.endpoint, region: opts.region, credentials });
    const where = opts.endpoint ?? `region ${opts.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'from the AWS config'}`;
    return target(doc, opts.table, `table ${opts.table} (${where})`, dataDir, false, async () => undefined);
  }

  const running = readEndpoints(dataDir);
  const table = running?.table ?? env.STRATUS_TABLE ?? 'stratus';
  if (running?.dynamodbEndpoint && (await answers(running.dynamodbEndpoint))) {
    const doc = createDocumentClient({ endpoint: running.dynamodbEndpoint, credentials: LOCAL_CREDENTIALS });
    await ensureTable(doc, table);
    return target(doc, table, `table ${table} of the running npm start (${running.dynamodbEndpoint})`, dataDir, true, async () => undefined);
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
  const doc = createDocumentClient({ endpoint: ddb.endpoint, region: ddb.region, credentials: LOCAL_CREDENTIALS });
  try {
    await ensureTable(doc, table);
  } catch (err) {
    await stop();
    throw err;
  }
  return target(doc, table, `table ${table} in ${dataDir}`, dataDir, true, stop);
}

function target(
  doc: DynamoDBDocumentClient, table: string, description: string, dataDir: string, local: boolean, stop: () => Promise<void>,
): Target {
  return {
    store: new DynamoDbAuthStore(doc, table),
    description,
    dataDir,
    local,
    close: async () => {
      doc.destroy();
      await stop();
    },
  };
}

/** True when a DynamoDB answers at the endpoint within a second or two. */
async function answers(endpoint: string): Promise<boolean> {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
  try {
    await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  } finally {
    client.destroy();
  }
}
