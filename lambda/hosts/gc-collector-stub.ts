/**
 * TEMPORARY (helper O): the collector's API as announced, until helper G's lambda/core/gc/ and
 * DynamoDbGcStore land. Deleted then; nothing else may import it.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { BlobStore } from '../ports/blob-store';
import type { GcRunRecord, GcStore } from '../ports/gc-store';
import type { Logger } from '../shared/logger';

export interface GcProgress { phase: string; done: number; total?: number }
export interface PlannedDeletion {
  kind: 'manifest' | 'link' | 'blob' | 'object';
  repository?: string;
  digest?: string;
  key?: string;
  bytes: number;
  reason: string;
  done: boolean;
}
export interface GcOptions {
  graceMs: number;
  dryRun: boolean;
  host: string;
  deadline?: number;
  orphanMinAgeMs?: number;
  onProgress?(p: GcProgress): void;
  pauses?: unknown;
}
export interface GcReport { run: GcRunRecord; plan: PlannedDeletion[] }
export interface GcDeps { gc: GcStore; blobs: BlobStore; logger: Logger; now: () => number }

export async function collectGarbage(_deps: GcDeps, _opts: GcOptions): Promise<GcReport> {
  throw new Error('collector not built yet');
}

export const DynamoDbGcStore = class {
  constructor(_doc: DynamoDBDocumentClient, _table: string) {}
} as unknown as new (doc: DynamoDBDocumentClient, table: string) => GcStore;
