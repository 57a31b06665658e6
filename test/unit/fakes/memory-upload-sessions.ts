import { UploadConflictError, UploadSession, UploadSessionStore } from '../../../lambda/ports/upload-session-store';

/** UploadSessionStore in memory; sessions past expiresAt are absent on read, as with DynamoDB. */
export class MemoryUploadSessions implements UploadSessionStore {
  readonly uploads = new Map<string, UploadSession>();
  constructor(private readonly now: () => number = Date.now) {}

  // Like the adapter's conditional put: a repeated create (a retried write) leaves the stored session alone.
  async createUpload(s: UploadSession) { if (!this.uploads.has(s.id)) this.uploads.set(s.id, structuredClone(s)); }
  async getUpload(id: string) {
    const s = this.uploads.get(id);
    return s && s.expiresAt * 1000 >= this.now() ? structuredClone(s) : null;
  }
  async updateUpload(s: UploadSession, expectedOffset: number) {
    const current = this.uploads.get(s.id);
    if (!current || current.offset !== expectedOffset) throw new UploadConflictError(s.id);
    this.uploads.set(s.id, { ...structuredClone(s), nextPart: current.nextPart ?? s.nextPart });
  }
  async reserveParts(id: string, count: number, base: number) {
    const current = this.uploads.get(id);
    if (!current) throw new UploadConflictError(id);
    const first = current.nextPart ?? base;
    current.nextPart = first + count;
    return first;
  }
  async deleteUpload(id: string) { this.uploads.delete(id); }
  async listExpiredUploads(beforeSeconds: number, limit: number) {
    return [...this.uploads.values()].filter((s) => s.expiresAt < beforeSeconds).slice(0, limit).map((s) => structuredClone(s));
  }
}
