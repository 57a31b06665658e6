/**
 * The scheduled storage lifecycle run (lib/garbage-collector.ts, daily by default): retention policies first
 * (they untag and delete expired images), then one run of the garbage collector (README "Storage
 * lifecycle") on the stack's table and bucket, stopping before the invocation's timeout. A run that reaches
 * its deadline ends 'incomplete' and returns normally: what it condemned and did not delete is released or
 * deleted by a later run, so the next scheduled run goes on.
 */
import { hostname } from 'node:os';
import type { Context } from 'aws-lambda';
import { DynamoDbGcStore } from '../../adapters/dynamodb/dynamodb-gc-store';
import { DynamoDbMetadataStore } from '../../adapters/dynamodb/dynamodb-metadata-store';
import { DynamoDbPolicyStore } from '../../adapters/dynamodb/dynamodb-policy-store';
import { createDocumentClient } from '../../adapters/dynamodb/table';
import { createS3Client } from '../../adapters/s3/s3-client';
import { S3BlobStore } from '../../adapters/s3/s3-blob-store';
import { collectGarbage, GcDeps } from '../../core/gc';
import { applyRetention } from '../../core/retention';
import type { RetentionDeps } from '../../core/retention/plan';
import type { GcRunRecord } from '../../ports/gc-store';
import { jsonLogger } from '../../shared/logger';
import { observeCalls } from '../backend-calls';
import { settingsFromEnv } from '../settings';

const logger = jsonLogger({ service: 'stratus-gc' });

/** Time kept back from the invocation's timeout to write the run record and return. */
export const DEADLINE_MARGIN_MS = 60_000;
/** Grace period when STRATUS_GC_GRACE_SECONDS is unset: the README's default. */
export const DEFAULT_GC_GRACE_SECONDS = 86_400;

interface Built { gc: GcDeps; retention: RetentionDeps; calls: Map<string, number> }
let built: Built | undefined;

/** Builds the adapters once per container; every S3 and DynamoDB request is counted by operation for the run's log line. */
function build(env: NodeJS.ProcessEnv): Built {
  const settings = settingsFromEnv(env);
  const calls = new Map<string, number>();
  const count = (backend: string, command: string) => calls.set(`${backend}:${command}`, (calls.get(`${backend}:${command}`) ?? 0) + 1);
  const doc = observeCalls(createDocumentClient(settings.dynamodb), 'dynamodb', count);
  const s3 = observeCalls(createS3Client(settings.s3), 's3', count);
  const gc = new DynamoDbGcStore(doc, settings.table);
  const meta = new DynamoDbMetadataStore(doc, settings.table);
  return {
    gc: { gc, blobs: new S3BlobStore({ client: s3, bucket: settings.bucket }), logger, now: Date.now },
    retention: { policies: new DynamoDbPolicyStore(doc, settings.table), gc, manifests: meta, catalog: meta },
    calls,
  };
}

/** Grace period of the scheduled runs, from STRATUS_GC_GRACE_SECONDS (set by the construct's `grace`). */
export function graceMsFromEnv(env: NodeJS.ProcessEnv): number {
  const seconds = Number(env.STRATUS_GC_GRACE_SECONDS ?? DEFAULT_GC_GRACE_SECONDS);
  if (!Number.isFinite(seconds) || seconds < 0) throw new Error(`STRATUS_GC_GRACE_SECONDS=${env.STRATUS_GC_GRACE_SECONDS}: expected seconds >= 0`);
  return seconds * 1000;
}

/**
 * Retention, then one collector run. Throws (so the invocation counts as an error) when either failed; a
 * collector run that ran out of time ('incomplete') is not a failure. A failed retention does not keep the collector from running.
 */
export async function handler(_event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<GcRunRecord> {
  built ??= build(process.env);
  built.calls.clear();
  const deadline = Date.now() + context.getRemainingTimeInMillis() - DEADLINE_MARGIN_MS;
  let retentionError: unknown;
  try {
    const { results } = await applyRetention(built.retention, { now: Date.now(), dryRun: false });
    const expired = results.filter((r) => r.outcome === 'expired').length;
    logger.info('retention applied', { expired, skipped: results.length - expired });
  } catch (err) {
    retentionError = err;
    logger.error('retention failed; collecting garbage anyway', { error: String(err) });
  }
  // A failed run is recorded as such and thrown by the collector: the invocation fails with it.
  const { run } = await collectGarbage(built.gc, { graceMs: graceMsFromEnv(process.env), dryRun: false, host: `lambda:${hostname()}`, deadline });
  const fields = { ...run, calls: Object.fromEntries(built.calls) };
  logger.info(run.status === 'incomplete' ? 'gc run stopped at its deadline; the next scheduled run goes on' : 'gc run completed', fields);
  if (retentionError) throw retentionError;
  return run;
}
