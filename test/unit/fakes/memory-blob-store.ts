import { BlobStore, ByteRange, MultipartUploadGoneError, StoredPart } from '../../../lambda/ports/blob-store';

/** BlobStore in memory with S3's multipart rules (5 MiB minimum parts), for unit tests of the core. */
export class MemoryBlobStore implements BlobStore {
  readonly objects = new Map<string, Buffer>();
  readonly multiparts = new Map<string, Map<number, Buffer>>();
  private nextId = 1;
  constructor(private readonly minPartSize = 5 * 1024 * 1024) {}

  async put(key: string, body: Uint8Array): Promise<void> {
    this.objects.set(key, Buffer.from(body));
  }

  async get(key: string, range?: ByteRange): Promise<AsyncIterable<Uint8Array> | null> {
    const data = this.objects.get(key);
    if (!data) return null;
    const slice = range ? data.subarray(range.start, range.end + 1) : data;
    return (async function* () { yield slice; })();
  }

  async delete(key: string): Promise<void> {
    this.objects.delete(key);
  }

  async createMultipart(key: string): Promise<string> {
    const id = `${key}#${this.nextId++}`;
    this.multiparts.set(id, new Map());
    return id;
  }

  async uploadPart(_key: string, uploadId: string, partNumber: number, body: Uint8Array): Promise<string> {
    const parts = this.multiparts.get(uploadId);
    if (!parts) throw new MultipartUploadGoneError(_key);
    parts.set(partNumber, Buffer.from(body));
    return `"etag-${partNumber}-${body.length}"`;
  }

  async completeMultipart(key: string, uploadId: string, parts: StoredPart[]): Promise<void> {
    const stored = this.multiparts.get(uploadId);
    if (!stored) throw new MultipartUploadGoneError(key);
    const buffers = parts.map((p, i) => {
      const b = stored.get(p.partNumber);
      if (!b || p.etag !== `"etag-${p.partNumber}-${b.length}"`) throw Object.assign(new Error('InvalidPart'), { name: 'InvalidPart' });
      if (i < parts.length - 1 && b.length < this.minPartSize) throw Object.assign(new Error('EntityTooSmall'), { name: 'EntityTooSmall' });
      return b;
    });
    this.objects.set(key, Buffer.concat(buffers));
    this.multiparts.delete(uploadId);
  }

  async abortMultipart(_key: string, uploadId: string): Promise<void> {
    this.multiparts.delete(uploadId);
  }

  async list(prefix: string, limit: number): Promise<string[]> {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort().slice(0, limit);
  }

  async presignGet(key: string, expiresInSeconds: number): Promise<string> {
    return `http://s3.test/bucket/${key}?expires=${expiresInSeconds}`;
  }
}
