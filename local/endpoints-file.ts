import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * <dataDir>/endpoints.json: what a running `npm start` / `npm run start:lambda` publishes so that
 * `npx stratus` reaches its backends instead of starting a second DynamoDB Local on the same files.
 */
export interface LocalEndpoints {
  registry?: string;
  dynamodbEndpoint?: string;
  table?: string;
  s3Endpoint?: string;
  bucket?: string;
}

/** The local data directory: an explicit one, else STRATUS_DATA_DIR, else .stratus/data. */
export function localDataDir(env: NodeJS.ProcessEnv, explicit?: string): string {
  return resolve(explicit ?? env.STRATUS_DATA_DIR ?? '.stratus/data');
}

function endpointsFile(dataDir: string): string {
  return join(dataDir, 'endpoints.json');
}

/** Publishes the running endpoints (0600, written whole); returns what removes them again. */
export function writeEndpoints(dataDir: string, endpoints: LocalEndpoints): () => void {
  const file = endpointsFile(dataDir);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(endpoints, null, 2), { mode: 0o600 });
  renameSync(tmp, file);
  return () => removeEndpoints(dataDir);
}

/** Removes published endpoints (on stop, or those of a run that was killed). */
export function removeEndpoints(dataDir: string): void {
  rmSync(endpointsFile(dataDir), { force: true });
}

/** The published endpoints, or null when nothing runs (or the file is half-written). */
export function readEndpoints(dataDir: string): LocalEndpoints | null {
  const file = endpointsFile(dataDir);
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LocalEndpoints;
  } catch {
    return null; // being written, or left half-written by a crash: treat as not running
  }
}
