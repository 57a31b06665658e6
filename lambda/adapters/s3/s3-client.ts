import { CreateBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { translateBackendFailures } from '../backend-failures';
import { BackendTimeouts, requestHandlerOptions, S3_TIMEOUTS } from '../timeouts';

/** How to reach an S3 endpoint; everything optional falls back to the AWS SDK's defaults. */
export interface S3Endpoint {
  endpoint?: string;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Path-style addressing, needed by MinIO, RGW and local servers. */
  forcePathStyle?: boolean;
  /** Connection and idle timeouts of one attempt. @default S3_TIMEOUTS */
  timeouts?: BackendTimeouts;
  /** Connections open at once; further requests wait for one. @default 50 (the SDK's) */
  maxSockets?: number;
}

/** The commands whose bodies are blob bytes, which the registry hashes itself. */
const BLOB_BODY_COMMANDS = new Set(['PutObjectCommand', 'UploadPartCommand']);

/** An S3 client that works with AWS and with S3-compatible servers (which validate no checksums). */
export function createS3Client(e: S3Endpoint): S3Client {
  const client = new S3Client({
    endpoint: e.endpoint,
    region: e.region ?? process.env.AWS_REGION ?? 'us-east-1',
    credentials: e.credentials,
    forcePathStyle: e.forcePathStyle ?? Boolean(e.endpoint),
    // Streamed bodies with the SDK's default CRC trailers are refused by several S3-compatible servers;
    // the registry verifies content digests itself.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // A backend that accepts a connection and goes silent must not hold a request forever.
    requestHandler: {
      ...requestHandlerOptions(e.timeouts ?? S3_TIMEOUTS),
      ...(e.maxSockets ? { httpAgent: { maxSockets: e.maxSockets }, httpsAgent: { maxSockets: e.maxSockets } } : {}),
    },
  });
  // Blob bodies are signed as UNSIGNED-PAYLOAD instead of SigV4 hashing every byte once more: the registry
  // already digests the same bytes, and TLS carries them to S3. The second hash cost a third of the
  // registry's CPU per pushed megabyte.
  client.middlewareStack.add((next, context) => (args) => {
    const request = args.request as { headers?: Record<string, string> };
    if (BLOB_BODY_COMMANDS.has(context.commandName ?? '') && request.headers) request.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
    return next(args);
  }, { step: 'build', name: 'stratusUnsignedPayload' });
  return translateBackendFailures(client, 'S3');
}

/** Creates the bucket unless it exists (local and self-hosted set-ups; the CDK stack creates it in AWS). */
export async function ensureBucket(client: S3Client, bucket: string): Promise<void> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch {
    try {
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
    } catch (err) {
      const name = (err as { name?: string }).name;
      if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw err;
    }
  }
}
