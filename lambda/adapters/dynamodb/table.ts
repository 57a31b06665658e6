import {
  CreateTableCommand, DescribeTableCommand, DynamoDBClient, GlobalSecondaryIndex, TableDescription, UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { translateBackendFailures } from '../backend-failures';
import { BackendTimeouts, DYNAMODB_TIMEOUTS, requestHandlerOptions } from '../timeouts';
import { TAGS_BY_NAME, TTL_ATTRIBUTE, UPLOADS_BY_EXPIRY } from './keys';

/** How to reach DynamoDB; everything optional falls back to the AWS SDK's defaults. */
export interface DynamoDbEndpoint {
  endpoint?: string;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Connection and idle timeouts of one attempt. @default DYNAMODB_TIMEOUTS */
  timeouts?: BackendTimeouts;
}

/** A document client that stores Uint8Array as binary and drops undefined attributes. */
export function createDocumentClient(e: DynamoDbEndpoint): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    endpoint: e.endpoint,
    region: e.region ?? process.env.AWS_REGION ?? 'us-east-1',
    credentials: e.credentials,
    requestHandler: requestHandlerOptions(e.timeouts ?? DYNAMODB_TIMEOUTS),
  });
  return DynamoDBDocumentClient.from(translateBackendFailures(client, 'DynamoDB'), { marshallOptions: { removeUndefinedValues: true } });
}

/** A keys-only index on a partition and a sort attribute (keys.ts names both). */
function keysOnlyIndex(index: { name: string; partitionKey: string; sortKey: string }): GlobalSecondaryIndex {
  return {
    IndexName: index.name,
    KeySchema: [
      { AttributeName: index.partitionKey, KeyType: 'HASH' },
      { AttributeName: index.sortKey, KeyType: 'RANGE' },
    ],
    Projection: { ProjectionType: 'KEYS_ONLY' },
  };
}

/** The sparse index of upload sessions by expiry. */
const UPLOADS_INDEX = keysOnlyIndex(UPLOADS_BY_EXPIRY);

/** The sparse index of tag names by repository: a tags list reads it. */
const TAGS_INDEX = keysOnlyIndex(TAGS_BY_NAME);

/** Every index the table has; a table made before one existed gets it added (ensureTable). */
const INDEXES = [UPLOADS_INDEX, TAGS_INDEX];

const ATTRIBUTES = [
  { AttributeName: 'pk', AttributeType: 'S' as const },
  { AttributeName: 'sk', AttributeType: 'S' as const },
  { AttributeName: TAGS_BY_NAME.sortKey, AttributeType: 'S' as const },
  { AttributeName: UPLOADS_BY_EXPIRY.partitionKey, AttributeType: 'S' as const },
  { AttributeName: UPLOADS_BY_EXPIRY.sortKey, AttributeType: 'N' as const },
];

/**
 * Creates the table (pk/sk, on demand, TTL on expiresAt, the UploadsByExpiry and TagsByName indexes) unless
 * it exists, and adds an index to a table made before it existed: local and self-hosted set-ups. DynamoDB
 * builds one new index at a time; one it refuses now is added at a later start (readers fall back meanwhile).
 */
export async function ensureTable(doc: DynamoDBDocumentClient, table: string, opts: { indexWaitMs?: number } = {}): Promise<void> {
  let existing: TableDescription | undefined;
  try {
    existing = (await doc.send(new DescribeTableCommand({ TableName: table }))).Table;
  } catch (err) {
    if ((err as { name?: string }).name !== 'ResourceNotFoundException') throw err;
  }
  if (existing) {
    const present = new Set((existing.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
    const missing = INDEXES.filter((index) => !present.has(index.IndexName));
    for (const index of missing) {
      try {
        await doc.send(new UpdateTableCommand({
          TableName: table, AttributeDefinitions: ATTRIBUTES, GlobalSecondaryIndexUpdates: [{ Create: index }],
        }));
        await untilIndexActive(doc, table, index.IndexName!, opts.indexWaitMs ?? INDEX_BUILD_WAIT_MS);
      } catch (err) {
        // DynamoDB builds one new index at a time (one added by an earlier start may still be building):
        // the next start adds the rest; readers fall back to the table meanwhile.
        if (!['LimitExceededException', 'ResourceInUseException'].includes((err as { name?: string }).name ?? '')) throw err;
        return;
      }
    }
    return;
  }
  try {
    await doc.send(new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: ATTRIBUTES,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      GlobalSecondaryIndexes: INDEXES,
    }));
  } catch (err) {
    if ((err as { name?: string }).name !== 'ResourceInUseException') throw err;
    return;
  }
  await doc.send(new UpdateTimeToLiveCommand({
    TableName: table,
    TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
  }));
}

/** Longest wait for a new index to be built before starting anyway (readers fall back to the table meanwhile). */
const INDEX_BUILD_WAIT_MS = 60_000;

/** Waits until DynamoDB has built `index` (DynamoDB Local: a second or so; AWS: minutes for a large table). */
async function untilIndexActive(doc: DynamoDBDocumentClient, table: string, index: string, waitMs: number): Promise<void> {
  for (const until = Date.now() + waitMs; Date.now() < until;) {
    const described = (await doc.send(new DescribeTableCommand({ TableName: table }))).Table;
    if (described?.GlobalSecondaryIndexes?.find((i) => i.IndexName === index)?.IndexStatus === 'ACTIVE') return;
    await new Promise((r) => setTimeout(r, 250));
  }
}
