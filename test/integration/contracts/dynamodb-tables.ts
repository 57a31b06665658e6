/** Fresh tables on the suite's DynamoDB (DynamoDB Local by default), made as ensureTable makes them. */
import { randomUUID } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, ensureTable } from '../../../lambda/adapters/dynamodb/table';
import { backendEnv } from '../backend-env';

/** A document client and new tables on demand; `destroy()` deletes the tables and closes the client. */
export function dynamoDbTables(label: string) {
  const doc: DynamoDBDocumentClient = createDocumentClient(backendEnv().dynamodb);
  const tables: string[] = [];
  return {
    doc,
    async create(): Promise<string> {
      const table = `stratus-${label}-${randomUUID().slice(0, 8)}`;
      await ensureTable(doc, table);
      tables.push(table);
      return table;
    },
    async destroy(): Promise<void> {
      await Promise.all(tables.map((TableName) => doc.send(new DeleteTableCommand({ TableName }))));
      doc.destroy();
    },
  };
}
