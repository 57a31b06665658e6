/**
 * Backend calls per operation. Stratus: summed from its request log, where the Node host writes the S3
 * and DynamoDB calls of each request (counted at the SDK). distribution on S3: the S3 server's own count
 * of the requests it served (bench/s3-counting-server.ts); presigned GETs (clients following a redirect)
 * are counted apart, since those are the client's, not the registry's.
 */
import { openSync, readSync, closeSync, readFileSync, statSync } from 'node:fs';
import { listenerPid, type Registry } from './contenders';
import type { ProbeTotals } from './sdk-probe';

/** The backend calls made during some work. */
export interface BackendCalls {
  /** S3 requests the registry made. */
  s3: number;
  /** DynamoDB requests (Stratus only; distribution has no database). */
  dynamodb?: number;
  dynamodbReads?: number;
  /** Presigned S3 requests made by clients (distribution's redirects; Stratus's are not seen at the SDK). */
  presigned?: number;
  /** Registry requests seen (Stratus's log). */
  requests?: number;
  /** Most DynamoDB reads made by one manifest or blob request (GET/HEAD). */
  maxReadsPerManifestOrBlobRequest?: number;
  /** S3 requests by operation (distribution). */
  byOperation?: Record<string, number>;
  /** Stratus's Node host, from the SDK probe: commands by name, and the DynamoDB units they consumed. */
  s3ByCommand?: Record<string, number>;
  dynamodbByCommand?: Record<string, number>;
  dynamodbFailed?: number;
  readUnits?: number;
  writeUnits?: number;
  /**
   * What the cloud topology would bill per request: requests that API Gateway and Lambda serve (all but an
   * upload session's PATCH/PUT/GET, which the upload service takes), and their Lambda duration, each
   * request's measured time rounded up to a whole millisecond (at least 1), as Lambda bills.
   */
  apiRequests?: number;
  lambdaBilledMs?: number;
  /** Redirects answered (307/302): each is one presigned GET the client then sends to S3. */
  redirects?: number;
}

interface LogLine {
  message?: string; method?: string; path?: string; status?: number; durationMs?: number;
  s3Calls?: number; dynamodbCalls?: number; dynamodbReads?: number;
}

/** An upload session's own requests (PATCH, PUT, GET of /blobs/uploads/<id>) go to the upload service, not Lambda. */
export const servedByUploadService = (method: string, path: string) => /\/blobs\/uploads\/[^/]+$/.test(path) && method !== 'DELETE';

const EMPTY: ProbeTotals = { s3: {}, dynamodb: {}, dynamodbFailed: {}, readUnits: 0, writeUnits: 0, seq: 0 };
function readProbe(file: string): ProbeTotals {
  try { return JSON.parse(readFileSync(file, 'utf8')) as ProbeTotals; } catch { return EMPTY; }
}

/** The SDK probe's totals now: asks the registry process (SIGUSR2) and waits for its fresh answer. */
async function probeTotals(reg: Registry): Promise<ProbeTotals> {
  if (!reg.probe) return EMPTY;
  const before = readProbe(reg.probe).seq ?? 0;
  process.kill(listenerPid(reg.port) ?? reg.pgid, 'SIGUSR2');
  for (const until = Date.now() + 10_000; Date.now() < until;) {
    const now = readProbe(reg.probe);
    if ((now.seq ?? 0) > before) return now;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`the SDK probe of ${reg.name} did not answer (${reg.probe})`);
}

/** What changed in a record of counts between two readings. */
function delta(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, n] of Object.entries(after)) if (n - (before[k] ?? 0) > 0) out[k] = n - (before[k] ?? 0);
  return out;
}
const sum = (o: Record<string, number>) => Object.values(o).reduce((a, n) => a + n, 0);

const size = (file: string) => { try { return statSync(file).size; } catch { return 0; } };

/** Chunk of the log read at once: a 10 s manifest load on a fast host logs hundreds of MB (more than one JS string holds). */
const LOG_CHUNK_BYTES = 16 * 1024 * 1024;

/** The log's lines written after `offset`, read a chunk at a time. */
function* linesFrom(file: string, offset: number): Generator<string> {
  const end = size(file);
  if (end <= offset) return;
  const fd = openSync(file, 'r');
  try {
    let carry = '';
    for (let at = offset; at < end; at += LOG_CHUNK_BYTES) {
      const buf = Buffer.alloc(Math.min(LOG_CHUNK_BYTES, end - at));
      readSync(fd, buf, 0, buf.length, at);
      const lines = (carry + buf.toString('utf8')).split('\n');
      carry = lines.pop() ?? '';
      yield* lines;
    }
    if (carry) yield carry;
  } finally {
    closeSync(fd);
  }
}

/** Whether a registry's backend calls can be counted: Stratus (its request log, both topologies), distribution on S3. */
export const countsCalls = (reg: Registry) => reg.name.startsWith('stratus') || !!reg.s3Counts;

/** Runs `work` and returns the backend calls the registry made meanwhile (undefined: not countable). */
export async function callsDuring<T>(reg: Registry, work: () => Promise<T>): Promise<{ result: T; calls?: BackendCalls }> {
  if (reg.name.startsWith('stratus') && reg.log) {
    // A request's line is written after its response: let earlier work's lines land before the window
    // opens, and this work's before it closes.
    const flushed = () => new Promise((r) => setTimeout(r, 300));
    await flushed();
    const from = size(reg.log);
    const probeBefore = await probeTotals(reg);
    const result = await work();
    await flushed();
    const probeAfter = await probeTotals(reg);
    const calls: BackendCalls = {
      s3: 0, dynamodb: 0, dynamodbReads: 0, requests: 0, maxReadsPerManifestOrBlobRequest: 0, apiRequests: 0, lambdaBilledMs: 0, redirects: 0,
    };
    if (reg.probe) {
      calls.s3ByCommand = delta(probeAfter.s3, probeBefore.s3);
      calls.dynamodbByCommand = delta(probeAfter.dynamodb, probeBefore.dynamodb);
      calls.dynamodbFailed = sum(delta(probeAfter.dynamodbFailed, probeBefore.dynamodbFailed));
      calls.readUnits = Math.round((probeAfter.readUnits - probeBefore.readUnits) * 100) / 100;
      calls.writeUnits = Math.round((probeAfter.writeUnits - probeBefore.writeUnits) * 100) / 100;
    }
    for (const text of linesFrom(reg.log, from)) {
      if (!text.startsWith('{')) continue;
      let line: LogLine;
      try { line = JSON.parse(text) as LogLine; } catch { continue; }
      if (line.message !== 'request' || line.s3Calls === undefined) continue;
      calls.requests!++;
      calls.s3 += line.s3Calls;
      calls.dynamodb! += line.dynamodbCalls ?? 0;
      calls.dynamodbReads! += line.dynamodbReads ?? 0;
      if (line.status === 307 || line.status === 302) calls.redirects!++;
      if (!servedByUploadService(line.method ?? '', line.path ?? '')) {
        calls.apiRequests!++;
        calls.lambdaBilledMs! += Math.max(1, Math.ceil(line.durationMs ?? 0));
      }
      if ((line.method === 'GET' || line.method === 'HEAD') && /\/(manifests|blobs)\/[^/]+$/.test(line.path ?? '') && !/\/blobs\/uploads\//.test(line.path ?? '')) {
        calls.maxReadsPerManifestOrBlobRequest = Math.max(calls.maxReadsPerManifestOrBlobRequest!, line.dynamodbReads ?? 0);
      }
    }
    return { result, calls };
  }
  if (reg.s3Counts) {
    const before = await reg.s3Counts();
    const result = await work();
    const after = await reg.s3Counts();
    const byOperation: Record<string, number> = {};
    for (const [op, n] of Object.entries(after)) if (n - (before[op] ?? 0) > 0) byOperation[op] = n - (before[op] ?? 0);
    const presigned = Object.entries(byOperation).filter(([op]) => op.endsWith('presigned')).reduce((a, [, n]) => a + n, 0);
    const all = Object.values(byOperation).reduce((a, n) => a + n, 0);
    return { result, calls: { s3: all - presigned, presigned, byOperation } };
  }
  return { result: await work() };
}
