import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

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

/** The DynamoDB table of a local data directory, open for a CLI command. */
export interface LocalTable {
  doc: DynamoDBDocumentClient;
  table: string;
  /** e.g. "table stratus in /path/.stratus/data". */
  description: string;
  close(): Promise<void>;
}

/**
 * What the CLI does without --table: the backends of `npm start` on a data directory, its running ones or
 * emulators started for the command alone. The CLI knows only this interface; bin/stratus-cli.ts passes in
 * local/'s implementation (local/cli-fallback.ts).
 */
export interface LocalFallback {
  /** The data directory: `explicit` (--data-dir), else STRATUS_DATA_DIR, else .stratus/data. */
  dataDir(env: NodeJS.ProcessEnv, explicit?: string): string;
  /** The table of `npm start` on `dataDir` (running, or DynamoDB Local started for this command). */
  openTable(dataDir: string, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<LocalTable>;
  /** The bucket and table of `npm start` on `dataDir` (running, or both emulators started for this command). */
  openBackends(dataDir: string, env: NodeJS.ProcessEnv, role: string, log: (line: string) => void): Promise<LocalBackends>;
}
