import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbAuthStore } from '../lambda/adapters/dynamodb/dynamodb-auth-store';
import { createDocumentClient } from '../lambda/adapters/dynamodb/table';
import type { LocalFallback } from './local-fallback';

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
  /** The target's table, for the stores other commands open on it (policies, garbage collection). */
  doc: DynamoDBDocumentClient;
  table: string;
  /** Human-readable description, e.g. "table stratus at http://127.0.0.1:8000". */
  description: string;
  dataDir: string;
  local: boolean;
  close(): Promise<void>;
}

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** The data directory of `npm start`. */
export function dataDirOf(opts: TargetOptions, env: NodeJS.ProcessEnv, fallback: LocalFallback): string {
  return fallback.dataDir(env, opts.dataDir);
}

/**
 * Opens the target. --table: that table (with --endpoint, credentials default to local ones when AWS_*
 * are unset). Otherwise the DynamoDB of a running `npm start` (from <dataDir>/endpoints.json), or, when
 * it is not running, DynamoDB Local started on <dataDir>/dynamodb for this command only (both from `fallback`).
 */
export async function openTarget(
  opts: TargetOptions, env: NodeJS.ProcessEnv, log: (line: string) => void, fallback: LocalFallback,
): Promise<Target> {
  const dataDir = dataDirOf(opts, env, fallback);
  if (opts.table) {
    const credentials = opts.endpoint && !env.AWS_ACCESS_KEY_ID ? LOCAL_CREDENTIALS : undefined;
    const doc = createDocumentClient({ endpoint: opts.endpoint, region: opts.region, credentials });
    const where = opts.endpoint ?? `region ${opts.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'from the AWS config'}`;
    return target(doc, opts.table, `table ${opts.table} (${where})`, dataDir, false, async () => undefined);
  }

  const local = await fallback.openTable(dataDir, env, log);
  return target(local.doc, local.table, local.description, dataDir, true, () => local.close());
}

function target(
  doc: DynamoDBDocumentClient, table: string, description: string, dataDir: string, local: boolean, stop: () => Promise<void>,
): Target {
  return {
    store: new DynamoDbAuthStore(doc, table),
    doc,
    table,
    description,
    dataDir,
    local,
    close: async () => {
      doc.destroy();
      await stop();
    },
  };
}
