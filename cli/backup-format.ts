/**
 * The backup directory of `npx stratus backup` / `restore`:
 *
 *   stratus-backup.json   what the backup holds (written last: without it a backup is incomplete)
 *   table.jsonl           the table's items, one per line, in DynamoDB JSON (binary as base64)
 *   objects.jsonl         one line per object: key, size, sha256
 *   objects/<key>.bytes   the object's bytes (format 1: objects/<key>, which cannot hold both a manifest body
 *                         of the old layout, manifests/sha256/<hex>, and one of the new, manifests/sha256/<hex>/<put id>)
 *   signing-keys.json     the token signing keys of the data directory, when it had them
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { join } from 'node:path';

/** The summary file of a complete backup. */
export interface BackupSummary {
  format: BackupFormat;
  createdAt: string;
  table: string;
  bucket: string;
  items: number;
  objects: number;
  bytes: number;
  signingKeys: boolean;
}

/** Formats restore reads; backups are written in the last. */
export type BackupFormat = 1 | 2;
export const BACKUP_FORMAT: BackupFormat = 2;

/** One object in the backup. */
export interface BackupObject {
  key: string;
  size: number;
  sha256: string;
}

/** Paths inside a backup directory. */
export const backupFiles = (dir: string, format: BackupFormat = BACKUP_FORMAT) => ({
  summary: join(dir, 'stratus-backup.json'),
  table: join(dir, 'table.jsonl'),
  objects: join(dir, 'objects.jsonl'),
  object: (key: string) => join(dir, 'objects', ...safeKey(key).split('/')) + (format === 1 ? '' : '.bytes'),
  signingKeys: join(dir, 'signing-keys.json'),
});

/**
 * An object key as a relative path: the registry's keys (blobs/<id>, manifests/sha256/<hex>) only. A key
 * from a tampered backup must not write outside its directory on restore (`..`, absolute paths).
 */
export function safeKey(key: string): string {
  if (!/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(key) || key.split('/').some((part) => part === '.' || part === '..')) {
    throw new Error(`object key ${JSON.stringify(key)} is not one the registry writes`);
  }
  return key;
}

type Json = null | boolean | string | Json[] | { [key: string]: Json };

/** An item as one JSON line: DynamoDB JSON with binary values in base64 (as DynamoDB's own exports). */
export function encodeItem(item: Record<string, AttributeValue>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(item).map(([k, v]) => [k, encodeValue(v)])));
}

/** The item of one line of table.jsonl. */
export function decodeItem(line: string): Record<string, AttributeValue> {
  const raw = JSON.parse(line) as Record<string, Record<string, Json>>;
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, decodeValue(v)]));
}

function encodeValue(v: AttributeValue): Record<string, Json> {
  if (v.B !== undefined) return { B: Buffer.from(v.B).toString('base64') };
  if (v.BS !== undefined) return { BS: v.BS.map((b) => Buffer.from(b).toString('base64')) };
  if (v.M !== undefined) return { M: Object.fromEntries(Object.entries(v.M).map(([k, x]) => [k, encodeValue(x)])) };
  if (v.L !== undefined) return { L: v.L.map(encodeValue) };
  return v as unknown as Record<string, Json>; // S, N, SS, NS, BOOL, NULL are JSON already
}

function decodeValue(v: Record<string, Json>): AttributeValue {
  if (typeof v.B === 'string') return { B: Buffer.from(v.B, 'base64') };
  if (Array.isArray(v.BS)) return { BS: (v.BS as string[]).map((b) => Buffer.from(b, 'base64')) };
  if (v.M && typeof v.M === 'object') {
    return { M: Object.fromEntries(Object.entries(v.M as Record<string, Record<string, Json>>).map(([k, x]) => [k, decodeValue(x)])) };
  }
  if (Array.isArray(v.L)) return { L: (v.L as Array<Record<string, Json>>).map(decodeValue) };
  return v as unknown as AttributeValue;
}
