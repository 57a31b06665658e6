import { BlobStore, ByteRange, MultipartUploadGoneError, ObjectInfo, StoredPart } from '../../../lambda/ports/blob-store';

/** BlobStore in memory with S3's multipart rules (5 MiB minimum parts), for unit tests of the core. */
export class MemoryBlobStore implements BlobStore {
  readonly objects = new Map<string, Buffer>();
  readonly multiparts = new Map<string, Map<number, Buffer>>();
  /** When each object was last written (ms), as S3's LastModified; tests may set it to age an object. */
  readonly modified = new Map<string, number>();
  private nextId = 1;
  constructor(private readonly minPartSize = 5 * 1024 * 1024) {}

  async put(key: string, body: Uint8Array): Promise<void> {
    this.write(key, Buffer.from(body));
  }

  async get(key: string, range?: ByteRange): Promise<AsyncIterable<Uint8Array> | null> {
    const data = this.objects.get(key);
    if (!data) return null;
    const slice = range ? data.subarray(range.start, range.end + 1) : data;
    return (async function* () { yield slice; })();
  }

  async delete(key: string): Promise<void> {
    this.objects.delete(key);
    this.modified.delete(key);
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
    this.write(key, Buffer.concat(buffers));
    this.multiparts.delete(uploadId);
  }

  async abortMultipart(_key: string, uploadId: string): Promise<void> {
    this.multiparts.delete(uploadId);
  }

  async list(prefix: string, limit: number): Promise<string[]> {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort().slice(0, limit);
  }

  async stat(key: string): Promise<{ size: number; lastModified: number } | null> {
    const data = this.objects.get(key);
    return data ? { size: data.length, lastModified: this.modified.get(key) ?? 0 } : null;
  }

  async listObjects(prefix: string, startAfter: string | undefined, limit: number): Promise<ObjectInfo[]> {
    return [...this.objects.keys()]
      .filter((k) => k.startsWith(prefix) && (startAfter === undefined || k > startAfter))
      .sort()
      .slice(0, limit)
      .map((key) => ({ key, size: this.objects.get(key)!.length, lastModified: this.modified.get(key) ?? 0 }));
  }

  private write(key: string, data: Buffer): void {
    this.objects.set(key, data);
    this.modified.set(key, Date.now());
  }

  async presignGet(key: string, expiresInSeconds: number): Promise<string> {
    return `http://s3.test/bucket/${key}?expires=${expiresInSeconds}`;
  }
}
