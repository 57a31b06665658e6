/**
 * How long the registry waits on a backend before giving up on one attempt (the SDK then retries, and
 * the request fails with 503 once its attempts are spent). Without these, the S3 client waits forever on
 * a backend that accepted a connection and went silent, and the DynamoDB client for five minutes.
 */
export interface BackendTimeouts {
  /** Time to open a TCP connection. */
  connectMs: number;
  /** Time without a byte either way on an open request (not the request's total duration: layers take minutes). */
  idleMs: number;
}

/** S3: parts of 8 MiB and CompleteMultipartUpload of large objects can keep S3 quiet for a while. */
export const S3_TIMEOUTS: BackendTimeouts = { connectMs: 5_000, idleMs: 30_000 };

/**
 * S3's CompleteMultipartUpload of a large object: AWS keeps the connection busy (it answers 200 at once and
 * sends whitespace until done), but S3-compatible servers that assemble the object first (the local S3
 * server, others) stay silent for as long as that takes: more than 30 s for a GiB on a loaded machine. A
 * completion retried after an idle timeout finds its upload already consumed (NoSuchUpload) while the first
 * is still assembling, and the push failed.
 */
export const S3_COMPLETE_TIMEOUTS: BackendTimeouts = { connectMs: 5_000, idleMs: 10 * 60_000 };

/** DynamoDB answers in milliseconds; ten quiet seconds mean it is not going to. */
export const DYNAMODB_TIMEOUTS: BackendTimeouts = { connectMs: 5_000, idleMs: 10_000 };

/** The SDK's Node request handler options for these timeouts. */
export function requestHandlerOptions(t: BackendTimeouts): { connectionTimeout: number; socketTimeout: number } {
  return { connectionTimeout: t.connectMs, socketTimeout: t.idleMs };
}
