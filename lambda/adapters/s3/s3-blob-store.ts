import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, DeleteObjectCommand,
  GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, ListPartsCommand, PutObjectCommand, S3Client, UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { BlobStore, ByteRange, MultipartUploadGoneError, ObjectInfo, StoredPart } from '../../ports/blob-store';

/** Where the store keeps bytes and how it reaches S3. */
export interface S3BlobStoreOptions {
  client: S3Client;
  bucket: string;
  /** Client used only to sign URLs for registry clients: its endpoint must be one they can reach. */
  presignClient?: S3Client;
  /** Client for CompleteMultipartUpload, with a longer idle timeout (S3_COMPLETE_TIMEOUTS). @default client */
  completeClient?: S3Client;
  /**
   * Client for `get`, with a connection pool of its own: a streamed blob holds its connection as long as
   * the registry's client takes to read it, and slow or stalled readers must not starve writes. @default client
   */
  readClient?: S3Client;
}

/** BlobStore on S3 (or any S3-compatible server: MinIO, Ceph RGW, the local test server). */
export class S3BlobStore implements BlobStore {
  private readonly client: S3Client;
  private readonly presignClient: S3Client;
  private readonly readClient: S3Client;
  private readonly completeClient: S3Client;
  private readonly bucket: string;

  constructor(opts: S3BlobStoreOptions) {
    this.client = opts.client;
    this.completeClient = opts.completeClient ?? opts.client;
    this.presignClient = opts.presignClient ?? opts.client;
    this.readClient = opts.readClient ?? opts.client;
    this.bucket = opts.bucket;
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentLength: body.length }));
  }

  async get(key: string, range?: ByteRange): Promise<AsyncIterable<Uint8Array> | null> {
    try {
      const out = await this.readClient.send(new GetObjectCommand({
        Bucket: this.bucket, Key: key, Range: range ? `bytes=${range.start}-${range.end}` : undefined,
      }));
      return out.Body as AsyncIterable<Uint8Array>;
    } catch (err) {
      if (isNamed(err, 'NoSuchKey', 'NotFound')) return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async createMultipart(key: string): Promise<string> {
    const out = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key }));
    if (!out.UploadId) throw new Error(`S3 returned no UploadId for ${key}`);
    return out.UploadId;
  }

  async uploadPart(key: string, uploadId: string, partNumber: number, body: Uint8Array): Promise<string> {
    const out = await this.client.send(new UploadPartCommand({
      Bucket: this.bucket, Key: key, UploadId: uploadId, PartNumber: partNumber, Body: body, ContentLength: body.length,
    })).catch((err) => { throw gone(err, key); });
    if (!out.ETag) throw new Error(`S3 returned no ETag for part ${partNumber} of ${key}`);
    return out.ETag;
  }

  async completeMultipart(key: string, uploadId: string, parts: StoredPart[]): Promise<void> {
    try {
      await this.completeClient.send(new CompleteMultipartUploadCommand({
        Bucket: this.bucket, Key: key, UploadId: uploadId,
        MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
      }));
    } catch (err) {
      if (isNamed(err, 'NoSuchUpload') || (serverFailed(err) && (await this.uploadUnknown(key, uploadId)))) {
        throw new MultipartUploadGoneError(key);
      }
      throw err;
    }
  }

  /**
   * Whether S3 no longer knows a multipart upload, asked after a completion it failed with a 5xx: Ceph RGW
   * answers CompleteMultipartUpload on an aborted upload with 500 InternalError instead of NoSuchUpload.
   * ListParts then says NoSuchUpload (AWS, MinIO) or NoSuchKey (RGW); any other answer means it is known.
   */
  private async uploadUnknown(key: string, uploadId: string): Promise<boolean> {
    try {
      await this.client.send(new ListPartsCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, MaxParts: 1 }));
      return false;
    } catch (err) {
      return isNamed(err, 'NoSuchUpload', 'NoSuchKey');
    }
  }

  async abortMultipart(key: string, uploadId: string): Promise<void> {
    try {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }));
    } catch (err) {
      if (!isNamed(err, 'NoSuchUpload', 'NotFound')) throw err;
    }
  }

  async list(prefix: string, limit: number): Promise<string[]> {
    const out = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, MaxKeys: limit }));
    return (out.Contents ?? []).map((o) => o.Key!).filter(Boolean);
  }

  async stat(key: string): Promise<{ size: number; lastModified: number } | null> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: Number(out.ContentLength ?? 0), lastModified: out.LastModified?.getTime() ?? 0 };
    } catch (err) {
      if (isNamed(err, 'NoSuchKey', 'NotFound')) return null;
      throw err;
    }
  }

  async listObjects(prefix: string, startAfter: string | undefined, limit: number): Promise<ObjectInfo[]> {
    const found: ObjectInfo[] = [];
    let token: string | undefined;
    do {
      const out = await this.client.send(new ListObjectsV2Command({
        Bucket: this.bucket, Prefix: prefix, StartAfter: token ? undefined : startAfter, ContinuationToken: token,
        MaxKeys: Math.min(1000, limit - found.length),
      }));
      for (const o of out.Contents ?? []) {
        if (o.Key) found.push({ key: o.Key, size: Number(o.Size ?? 0), lastModified: o.LastModified?.getTime() ?? 0 });
      }
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token && found.length < limit);
    return found.slice(0, limit);
  }

  async presignGet(key: string, expiresInSeconds: number): Promise<string> {
    return getSignedUrl(this.presignClient, new GetObjectCommand({ Bucket: this.bucket, Key: key }), { expiresIn: expiresInSeconds });
  }
}

/** NoSuchUpload as the port's MultipartUploadGoneError; other errors unchanged. */
function gone(err: unknown, key: string): unknown {
  return isNamed(err, 'NoSuchUpload') ? new MultipartUploadGoneError(key) : err;
}

/** Whether S3 answered with a 5xx (the SDK's error, or a port error made from one, as its cause). */
function serverFailed(err: unknown): boolean {
  const e = err as { $metadata?: { httpStatusCode?: number }; cause?: { $metadata?: { httpStatusCode?: number } } };
  return (e?.$metadata?.httpStatusCode ?? e?.cause?.$metadata?.httpStatusCode ?? 0) >= 500;
}

function isNamed(err: unknown, ...names: string[]): boolean {
  const e = err as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  return names.includes(e?.name ?? '') || names.includes(e?.Code ?? '') || (names.includes('NotFound') && e?.$metadata?.httpStatusCode === 404);
}
