/**
 * The Lambda host: API Gateway HTTP API v2 and function URL events in, the registry core, results out.
 * A body larger than an invocation may carry (6 MB event, base64 included; API Gateway's own cap is 10 MB)
 * never reaches this code: API Gateway or the function URL answers 413 itself. Asking clients for chunks
 * that fit is the upload routes' job (OCI-Chunk-Min-Length), not this adapter's.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { RegistryHandler } from '../../shared/http-types';
import { jsonLogger, Logger } from '../../shared/logger';
import { createRegistry } from '../../core/registry';
import { errorResponse } from '../../core/http/error-response';
import { countCallsOf, noCalls } from '../backend-calls';
import { buildDeps, settingsFromEnv } from '../settings';
import { keyLoaderFromEnv } from '../signing-keys-from-env';
import { eventToRequest } from './event-to-request';
import { resultFromResponse } from './result-from-response';

/**
 * Work the requests of an execution environment leave behind (RegistryDeps.background), awaited before each
 * invocation returns: Lambda freezes the environment once the handler returns, and work left running would
 * be cut off or finish in a later invocation. So the request that records a pull time (once an hour per
 * manifest) answers one DynamoDB write later; every other request waits for nothing.
 */
export class InvocationTasks {
  private readonly running: Array<Promise<void>> = [];

  /** RegistryDeps.background: starts the task now. */
  readonly run = (task: () => Promise<void>): void => {
    this.running.push(task());
  };

  /** Resolves once every task started so far has ended. */
  async settle(): Promise<void> {
    while (this.running.length > 0) await Promise.allSettled(this.running.splice(0));
  }
}

/** A Lambda handler over any registry core, logging one JSON line per request (with its backend calls) like the Node host. */
export function lambdaAdapter(registry: RegistryHandler, logger: Logger, tasks?: InvocationTasks) {
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const started = performance.now();
    const request = eventToRequest(event);
    const calls = noCalls();
    const response = await countCallsOf(calls, async () => {
      const answer = await registry(request);
      await tasks?.settle();
      return answer;
    });
    logger.info('request', {
      requestId: request.requestId, method: request.method, path: request.path, status: response.status,
      durationMs: Math.round(performance.now() - started), bytesOut: response.body?.length ?? 0,
      s3Calls: calls.s3, dynamodbCalls: calls.dynamodb, dynamodbReads: calls.dynamodbReads,
      remote: event.requestContext.http.sourceIp, userAgent: request.headers['user-agent'],
    });
    return resultFromResponse(response);
  };
}

/**
 * OCI-Chunk-Min-Length the Lambda advertises: the largest round chunk that still fits one invocation
 * once base64-encoded (6 MB event limit: about 4.4 MiB of data). Leftovers under S3's 5 MiB part
 * minimum are merged across chunks by the core.
 */
export const LAMBDA_CHUNK_MIN_LENGTH = 4 * 1024 * 1024;

/**
 * STRATUS_UPLOAD_MEMORY_MB of the Lambda host: an invocation serves one request of at most 6 MB, so it
 * fills at most one 8 MiB part while the previous one uploads: two parts.
 */
export const LAMBDA_UPLOAD_MEMORY_MB = '16';

/**
 * STRATUS_TAG_CACHE_SECONDS of the Lambda host: a pull by tag reuses what this execution environment read
 * of the tag for 5 s, so a popular tag's item is read about once per environment and 5 s (a tag moved
 * elsewhere is pulled within 5 s; this environment's own writes at once).
 */
export const LAMBDA_TAG_CACHE_SECONDS = '5';

/**
 * The registry mirror on the Lambda host: a cold blob up to 256 MiB is fetched from the upstream within the
 * invocation (API Gateway answers 504 after 30 s); a larger one is fetched by the upload service (a 307
 * there), and a request waits at most 20 s for another invocation's fill before answering 503 + Retry-After.
 */
export const LAMBDA_MIRROR_FILL_INLINE_MAX_BYTES = String(256 * 1024 * 1024);
export const LAMBDA_MIRROR_WAIT_SECONDS = '20';

let adapter: ReturnType<typeof lambdaAdapter> | undefined;

// Built on the first invocation and kept for the execution environment's life: SDK clients and their
// connection pools are reused across warm invocations. Lazily, so importing the module builds no clients.
function lambdaHost(): ReturnType<typeof lambdaAdapter> {
  if (!adapter) {
    const logger = jsonLogger({ service: 'stratus' });
    const settings = settingsFromEnv({
      STRATUS_CHUNK_MIN_LENGTH: String(LAMBDA_CHUNK_MIN_LENGTH), STRATUS_UPLOAD_MEMORY_MB: LAMBDA_UPLOAD_MEMORY_MB,
      STRATUS_MIRROR_FILL_INLINE_MAX_BYTES: LAMBDA_MIRROR_FILL_INLINE_MAX_BYTES, STRATUS_MIRROR_WAIT_SECONDS: LAMBDA_MIRROR_WAIT_SECONDS,
      STRATUS_TAG_CACHE_SECONDS: LAMBDA_TAG_CACHE_SECONDS, ...process.env,
    });
    const tasks = new InvocationTasks();
    const deps = { ...buildDeps(settings, logger, keyLoaderFromEnv(process.env)), background: tasks.run };
    adapter = lambdaAdapter(createRegistry(deps), logger, tasks);
  }
  return adapter;
}

/** The Lambda entry point (CDK NodejsFunction handler `handler`). */
export const handler = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
  let host: ReturnType<typeof lambdaAdapter>;
  try {
    host = lambdaHost();
  } catch (err) {
    // Bad configuration: still answer with the spec's error JSON and a request id, not a bare 502.
    return resultFromResponse(errorResponse(err, event.requestContext.requestId, jsonLogger({ service: 'stratus' })));
  }
  return host(event);
};
