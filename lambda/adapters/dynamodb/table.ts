import {
  CreateTableCommand, DescribeTableCommand, DynamoDBClient, UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BackendTimeouts, DYNAMODB_TIMEOUTS, requestHandlerOptions } from '../timeouts';
import { TTL_ATTRIBUTE } from './keys';

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
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/** Creates the table (pk/sk, on demand, TTL on expiresAt) unless it exists: local and self-hosted set-ups. */
export async function ensureTable(doc: DynamoDBDocumentClient, table: string): Promise<void> {
  try {
    await doc.send(new DescribeTableCommand({ TableName: table }));
    return;
  } catch (err) {
    if ((err as { name?: string }).name !== 'ResourceNotFoundException') throw err;
  }
  try {
    await doc.send(new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
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
