/** Shared by the S3 backend tests: a client on the suite's S3, and small readers of results. */
import { createHash, randomUUID } from 'node:crypto';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { s3ClientConfig } from '../backend-env';

/** Set by run-on-rgw.ts to `ceph-rgw`: tests then expect RGW's answers where they differ from AWS's. */
export const S3_SERVER_VAR = 'STRATUS_TEST_S3_SERVER';
/** Whether the suite's S3 is Ceph RGW. */
export const onCephRgw = (): boolean => process.env[S3_SERVER_VAR] === 'ceph-rgw';
/** The answer expected from the suite's S3: AWS's (which the local S3 and MinIO give), or Ceph RGW's own. */
export const expectedAnswer = <T>(answers: { aws: T; rgw: T }): T => (onCephRgw() ? answers.rgw : answers.aws);

/** 1 MiB, for part sizes. */
export const MiB = 1024 * 1024;

/** An SDK client on the suite's S3 and a fresh bucket name; call `create()` in beforeAll. */
export function s3Fixture(prefix: string): { s3: S3Client; Bucket: string; create(): Promise<unknown> } {
  const s3 = new S3Client(s3ClientConfig());
  const Bucket = `${prefix}-${randomUUID().slice(0, 8)}`;
  return { s3, Bucket, create: () => s3.send(new CreateBucketCommand({ Bucket })) };
}

/** The S3 error code (SDK error name) and HTTP status of a call that must fail. */
export async function s3Error(promise: Promise<unknown>): Promise<{ name: string; status?: number }> {
  try {
    await promise;
  } catch (err) {
    const e = err as { name: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected the S3 call to fail');
}

/** Hex sha256 of some bytes. */
export const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** GetObject with the body read into a Buffer. */
export async function getBytes(s3: S3Client, Bucket: string, Key: string, Range?: string) {
  const res = await s3.send(new GetObjectCommand({ Bucket, Key, Range }));
  return { res, body: Buffer.from(await res.Body!.transformToByteArray()) };
}
