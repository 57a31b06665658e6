import {
  CreateTableCommand, DescribeTableCommand, DynamoDBClient, GlobalSecondaryIndex, TableDescription, UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { translateBackendFailures } from '../backend-failures';
import { BackendTimeouts, DYNAMODB_TIMEOUTS, requestHandlerOptions } from '../timeouts';
import { TTL_ATTRIBUTE, UPLOADS_BY_EXPIRY } from './keys';

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

/** The sparse index of upload sessions by expiry (keys.ts), keys only. */
const UPLOADS_INDEX: GlobalSecondaryIndex = {
  IndexName: UPLOADS_BY_EXPIRY.name,
  KeySchema: [
    { AttributeName: UPLOADS_BY_EXPIRY.partitionKey, KeyType: 'HASH' },
    { AttributeName: UPLOADS_BY_EXPIRY.sortKey, KeyType: 'RANGE' },
  ],
  Projection: { ProjectionType: 'KEYS_ONLY' },
};

const ATTRIBUTES = [
  { AttributeName: 'pk', AttributeType: 'S' as const },
  { AttributeName: 'sk', AttributeType: 'S' as const },
  { AttributeName: UPLOADS_BY_EXPIRY.partitionKey, AttributeType: 'S' as const },
  { AttributeName: UPLOADS_BY_EXPIRY.sortKey, AttributeType: 'N' as const },
];

/**
 * Creates the table (pk/sk, on demand, TTL on expiresAt, the UploadsByExpiry index) unless it exists, and
 * adds the index to a table made before it existed: local and self-hosted set-ups.
 */
export async function ensureTable(doc: DynamoDBDocumentClient, table: string): Promise<void> {
  let existing: TableDescription | undefined;
  try {
    existing = (await doc.send(new DescribeTableCommand({ TableName: table }))).Table;
  } catch (err) {
    if ((err as { name?: string }).name !== 'ResourceNotFoundException') throw err;
  }
  if (existing) {
    if (!existing.GlobalSecondaryIndexes?.some((i) => i.IndexName === UPLOADS_BY_EXPIRY.name)) {
      await doc.send(new UpdateTableCommand({
        TableName: table, AttributeDefinitions: ATTRIBUTES, GlobalSecondaryIndexUpdates: [{ Create: UPLOADS_INDEX }],
      }));
    }
    return;
  }
  try {
    await doc.send(new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: ATTRIBUTES,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      GlobalSecondaryIndexes: [UPLOADS_INDEX],
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
