import type { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbAuthStore } from '../lambda/adapters/dynamodb/dynamodb-auth-store';
import { createDocumentClient } from '../lambda/adapters/dynamodb/table';
import { createS3Client } from '../lambda/adapters/s3/s3-client';
import { S3BlobStore } from '../lambda/adapters/s3/s3-blob-store';
import type { BlobStore } from '../lambda/ports/blob-store';
import { CliError } from './errors';
import type { LocalFallback } from './local-fallback';

/** Where the CLI's commands go: the options that choose it. */
export interface TargetOptions {
  /** A deployed (or any) table: the AWS SDK's defaults, or `endpoint`. Absent = the local backends of `npm start`. */
  table?: string;
  region?: string;
  endpoint?: string;
  /** Data directory of `npm start`. @default STRATUS_DATA_DIR or .stratus/data */
  dataDir?: string;
  /** With --table: the deployed bucket (stack output BucketName), reached at S3_ENDPOINT when that is set. */
  bucket?: string;
  /** Open the blob bucket too (commands that delete objects): locally that starts the local S3 when npm start is stopped. */
  withBucket?: boolean;
}

/** The target's blob bucket, open. */
export interface TargetBucket {
  name: string;
  s3: S3Client;
  blobs: BlobStore;
}

/** An open target: the auth store and how to let go of it. */
export interface Target {
  store: DynamoDbAuthStore;
  /** The target's table, for the stores other commands open on it (policies, garbage collection). */
  doc: DynamoDBDocumentClient;
  table: string;
  /** The blob bucket, when opened `withBucket`. */
  bucket?: TargetBucket;
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
 * are unset), and with `withBucket` the --bucket. Otherwise the DynamoDB of a running `npm start` (from
 * <dataDir>/endpoints.json), or, when it is not running, DynamoDB Local started on <dataDir>/dynamodb for
 * this command only (both from `fallback`); `withBucket` opens its S3 the same way.
 */
export async function openTarget(
  opts: TargetOptions, env: NodeJS.ProcessEnv, log: (line: string) => void, fallback: LocalFallback,
): Promise<Target> {
  const dataDir = dataDirOf(opts, env, fallback);
  if (opts.table) {
    if (opts.withBucket && !opts.bucket) throw new CliError('with --table this command needs --bucket <name> (the stack output BucketName)', 2);
    const credentials = opts.endpoint && !env.AWS_ACCESS_KEY_ID ? LOCAL_CREDENTIALS : undefined;
    const doc = createDocumentClient({ endpoint: opts.endpoint, region: opts.region, credentials });
    const bucket = opts.withBucket && opts.bucket ? deployedBucket(opts.bucket, opts.region, env) : undefined;
    const where = opts.endpoint ?? `region ${opts.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'from the AWS config'}`;
    const description = `table ${opts.table}${bucket ? ` and bucket ${bucket.name}` : ''} (${where})`;
    return target(doc, opts.table, description, dataDir, false, async () => bucket?.s3.destroy(), bucket);
  }
  if (opts.bucket) throw new CliError('--bucket goes with --table (a deployed stack); locally the bucket of npm start is used', 2);

  if (opts.withBucket) {
    const b = await fallback.openBackends(dataDir, env, 'npx stratus gc', log);
    const doc = DynamoDBDocumentClient.from(b.dynamodb, { marshallOptions: { removeUndefinedValues: true } });
    const bucket = { name: b.bucket, s3: b.s3, blobs: new S3BlobStore({ client: b.s3, bucket: b.bucket }) };
    return target(doc, b.table, b.description, dataDir, true, () => b.close(), bucket);
  }
  const local = await fallback.openTable(dataDir, env, log);
  return target(local.doc, local.table, local.description, dataDir, true, () => local.close());
}

/** A deployed bucket: AWS's S3 in `region`, or S3_ENDPOINT (an S3-compatible server) when set. */
function deployedBucket(name: string, region: string | undefined, env: NodeJS.ProcessEnv): TargetBucket {
  const s3 = createS3Client({ endpoint: env.S3_ENDPOINT || undefined, region });
  return { name, s3, blobs: new S3BlobStore({ client: s3, bucket: name }) };
}

function target(
  doc: DynamoDBDocumentClient, table: string, description: string, dataDir: string, local: boolean, stop: () => Promise<void>,
  bucket?: TargetBucket,
): Target {
  return {
    store: new DynamoDbAuthStore(doc, table),
    doc,
    table,
    bucket,
    description,
    dataDir,
    local,
    close: async () => {
      doc.destroy();
      await stop();
    },
  };
}
