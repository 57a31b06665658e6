import { policyOf } from './cors';

/** One CORS rule of the blob bucket, in S3's terms (PutBucketCors, CloudFormation's CorsRule). */
export interface BlobCorsRule {
  allowedOrigins: string[];
  allowedMethods: Array<'GET' | 'HEAD'>;
  allowedHeaders: string[];
  exposedHeaders: string[];
  maxAgeSeconds: number;
}

/** What a page may read of a blob answer: its size, type, range and validators. */
export const BLOB_EXPOSED_HEADERS = ['ETag', 'Content-Length', 'Content-Type', 'Content-Range', 'Docker-Content-Digest', 'Accept-Ranges'];

/**
 * The blob bucket's CORS rules for a CORS setting (STRATUS_CORS_ORIGIN's syntax: `*`, a list of origins,
 * or empty for none), so that a browser following a blob GET's 307 to a presigned URL may read the bytes.
 *
 * A cross-origin redirect makes the browser send `Origin: null` to the bucket. With credentials (a UI
 * on a listed origin logs in) the answer must echo `null` with `Access-Control-Allow-Credentials: true`:
 * S3 does that for a rule naming the origin, never for `*`, so `null` gets a rule of its own, first
 * (S3 applies the first matching rule). The presigned URL is the only credential S3 looks at; the
 * registry decided who gets one, by the same origins.
 */
export function blobCorsRules(setting: string): BlobCorsRule[] {
  const policy = policyOf(setting);
  const base = { allowedMethods: ['GET', 'HEAD'] as Array<'GET' | 'HEAD'>, allowedHeaders: ['*'], exposedHeaders: BLOB_EXPOSED_HEADERS, maxAgeSeconds: 600 };
  const rules: BlobCorsRule[] = [];
  if (policy.credentialed.size > 0) rules.push({ ...base, allowedOrigins: [...new Set(['null', ...policy.credentialed])] });
  if (policy.anyOrigin) rules.push({ ...base, allowedOrigins: ['*'] });
  return rules;
}
