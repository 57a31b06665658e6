import { CORSRule, DeleteBucketCorsCommand, GetBucketCorsCommand, PutBucketCorsCommand, S3Client } from '@aws-sdk/client-s3';
import type { BlobCorsRule } from '../../core/http/blob-cors-rules';

/** What applying the rules did: the bucket already had them, got them, or lost a configuration. */
export type BucketCorsChange = 'unchanged' | 'set' | 'removed';

/**
 * Makes the bucket's CORS configuration exactly `rules` (none: no configuration). Run at every start, so a
 * bucket created before the rules existed, or under another CORS setting, gets the current ones.
 */
export async function applyBucketCors(client: S3Client, bucket: string, rules: BlobCorsRule[]): Promise<BucketCorsChange> {
  const current = await currentRules(client, bucket);
  const wanted = rules.map(toS3Rule);
  if (sameRules(current, wanted)) return 'unchanged';
  if (wanted.length === 0) {
    await client.send(new DeleteBucketCorsCommand({ Bucket: bucket }));
    return 'removed';
  }
  await client.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: wanted } }));
  return 'set';
}

function toS3Rule(rule: BlobCorsRule): CORSRule {
  return {
    AllowedOrigins: rule.allowedOrigins, AllowedMethods: rule.allowedMethods, AllowedHeaders: rule.allowedHeaders,
    ExposeHeaders: rule.exposedHeaders, MaxAgeSeconds: rule.maxAgeSeconds,
  };
}

async function currentRules(client: S3Client, bucket: string): Promise<CORSRule[]> {
  try {
    return (await client.send(new GetBucketCorsCommand({ Bucket: bucket }))).CORSRules ?? [];
  } catch (err) {
    if ((err as { name?: string }).name === 'NoSuchCORSConfiguration') return [];
    throw err;
  }
}

// Compared by the fields we set, each list as a set: servers may add an ID, and Ceph RGW sorts a rule's origins.
function sameRules(a: CORSRule[], b: CORSRule[]): boolean {
  const set = (values: string[] | undefined) => [...(values ?? [])].sort();
  const key = (r: CORSRule) => JSON.stringify([set(r.AllowedOrigins), set(r.AllowedMethods), set(r.AllowedHeaders), set(r.ExposeHeaders), r.MaxAgeSeconds]);
  return a.length === b.length && a.every((r, i) => key(r) === key(b[i]!));
}
