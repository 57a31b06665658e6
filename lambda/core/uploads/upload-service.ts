import { randomUUID } from 'node:crypto';
import { Digest, parseDigest } from '../../oci/digest';
import { OciError } from '../../oci/errors';
import { MultipartUploadGoneError } from '../../ports/blob-store';
import { BlobIndex, BlobRecord, BlobRecordGoneError, RecordWrite, UploadTarget } from '../../ports/blob-index';
import type { Catalog } from '../../ports/catalog';
import { UploadConflictError, UploadSession, UploadSessionStore } from '../../ports/upload-session-store';
import type { DepsUsing } from '../config';
import { storageKeys } from '../storage-layout';
import { digestStoredObject, hashStoredObject, keepLiveHash, LiveHashes, resumeHash, RunningHash } from './hashing';
import { mayUse, newSessionSecret, SessionAccess } from './session-access';
import { PartNumbers, partsNeeded } from './part-numbers';
import { SessionLocks } from './session-locks';
import { UploadTailMissingError, writeBody } from './upload-writer';

/** Expired sessions swept at once. */
const SWEEP_CONCURRENCY = 8;

/**
 * Attempts at recording and linking a blob whose record other writers keep changing: concurrent uploads of
 * the same blob replacing or renewing it while a collector condemns and deletes it (only with a grace period
 * shorter than an upload, as the race tests run). Each attempt re-reads the record; past these, 503.
 */
const RECORD_ROUNDS = 8;

/** A request body and what its headers declare about it. */
export interface BodyInput {
  body?: AsyncIterable<Uint8Array>;
  /** Content-Length, when given. */
  length?: number;
  /** Content-Range start and end (inclusive), when given. */
  range?: { start: number; end: number };
}

/**
 * A chunk refused because it does not start where the session ends, or because another writer moved the
 * session meanwhile: nothing was recorded. `session` is what the answer's Range and Location describe.
 */
export interface RangeConflict {
  outcome: 'range-conflict';
  session: UploadSession;
  reason: string;
}

/** What appending a chunk gives: the session moved on, or a range conflict. */
export type AppendResult = { outcome: 'appended'; session: UploadSession } | RangeConflict;

/** What completing a session gives: the blob recorded and linked, or a range conflict. */
export type CompleteResult = { outcome: 'completed'; blob: BlobRecord } | RangeConflict;

/**
 * Upload sessions: start, append chunks, complete with a digest check, cancel, and mount. Chunks and
 * completions of one session run one at a time in this process (see SessionLocks).
 */
export class UploadService {
  private readonly live = new LiveHashes();
  private readonly locks = new SessionLocks();

  constructor(private readonly deps: DepsUsing<UploadSessionStore & BlobIndex & Pick<Catalog, 'addRepository'>>) {}

  /**
   * Opens a session for a repository. With auth on (`owner` given) it is bound to its creator's subject
   * and gets a secret for requests that come without credentials.
   */
  async start(repository: string, owner?: string): Promise<UploadSession> {
    const session = this.newSession(repository);
    if (owner !== undefined) Object.assign(session, { owner, secret: newSessionSecret() });
    await this.deps.meta.createUpload(session);
    return session;
  }

  /**
   * The live session of this repository, or BLOB_UPLOAD_UNKNOWN; also unknown to a caller that `as` does
   * not admit (another subject, or no credentials and not the session's secret: see mayUse).
   */
  async get(repository: string, id: string, as?: SessionAccess): Promise<UploadSession> {
    return admitted(repository, id, validId(id) ? await this.deps.meta.getUpload(id) : null, as);
  }

  /** Appends a chunk; the chunk must start where the session ends (else a range conflict, state unchanged). */
  async append(repository: string, id: string, input: BodyInput, as?: SessionAccess): Promise<AppendResult> {
    return this.locks.run(id, () => this.appendNow(repository, id, input, as));
  }

  /** Completes a session with its last chunk (possibly empty) and verifies the digest before linking. */
  async complete(repository: string, id: string, digestParam: string | null, input: BodyInput, as?: SessionAccess): Promise<CompleteResult> {
    return this.locks.run(id, () => this.completeNow(repository, id, digestParam, input, as));
  }

  private async appendNow(repository: string, id: string, input: BodyInput, as?: SessionAccess): Promise<AppendResult> {
    const session = await this.get(repository, id, as);
    const conflict = startConflict(session, input);
    if (conflict) return conflict;
    const declaredLength = declaredLengthOf(input);
    const hash = await resumeHash(session, this.live, { declaredLength, final: false }, this.deps.config.resumableHashMaxBytes);
    const partNumbers = this.partNumbers(session, declaredLength);
    const { session: next, garbage } = await writeBody(this.deps.blobs, this.deps.config, session, input.body, {
      declaredLength, final: false, hash, partNumbers,
    });
    next.nextPart = partNumbers.counterAfter() ?? next.nextPart;
    next.expiresAt = this.expiry();
    try {
      await this.deps.meta.updateUpload(next, session.offset);
    } catch (err) {
      if (err instanceof UploadConflictError) return { outcome: 'range-conflict', session: next, reason: 'upload was modified concurrently' };
      throw err;
    }
    keepLiveHash(hash, next.offset);
    await this.collect(garbage);
    return { outcome: 'appended', session: next };
  }

  private async completeNow(
    repository: string, id: string, digestParam: string | null, input: BodyInput, as?: SessionAccess,
  ): Promise<CompleteResult> {
    const digest = parseDigest(digestParam);
    // One read: the session, the blob's record (a duplicate's) and the catalog entry; one transaction at the end.
    const target = validId(id) ? await this.deps.meta.readUploadTarget(repository, digest.value, this.deps.now(), id) : undefined;
    const session = admitted(repository, id, target?.session ?? null, as);
    const conflict = startConflict(session, input);
    if (conflict) return conflict;
    const declaredLength = declaredLengthOf(input);
    const hash = await resumeHash(session, this.live, { declaredLength, final: true }, this.deps.config.resumableHashMaxBytes);
    const record = await this.finish(repository, session, digest, input, declaredLength, hash, { ...target!, stored: true });
    return { outcome: 'completed', blob: record };
  }

  /** A whole blob in one request (POST ?digest= or containerd's single PUT): no session is stored. */
  async monolithic(repository: string, digestParam: string, input: BodyInput): Promise<BlobRecord> {
    const digest = parseDigest(digestParam);
    const session = this.newSession(repository);
    const target = await this.deps.meta.readUploadTarget(repository, digest.value, this.deps.now());
    const hash = await resumeHash(session, this.live, { declaredLength: input.length, final: true }, this.deps.config.resumableHashMaxBytes);
    return this.finish(repository, session, digest, input, input.length, hash, { ...target, stored: false });
  }

  /**
   * Abandons a session and the bytes it holds. The bytes go first: if S3 fails, the session is still
   * there to cancel (or sweep) again, rather than gone with its multipart upload left behind.
   */
  async cancel(repository: string, id: string, as?: SessionAccess): Promise<void> {
    const session = await this.get(repository, id, as);
    await this.discard(session);
    await this.deps.meta.deleteUpload(session.id);
  }

  /**
   * Removes sessions idle past uploadTtlSeconds as of `now` (ms): aborts their multipart uploads,
   * deletes their leftovers, then the session, at most `limit` per call. Expired sessions are already
   * refused by every request, so nothing can renew one while it is swept. A session whose bytes cannot
   * be removed stays, to be swept again next time. An object a failed PUT assembled but never recorded
   * (blobs/<id>) is not deleted: without its digest the sweeper cannot tell whether a blob points at it.
   */
  async sweepExpired(now: number = this.deps.now(), limit = 1000): Promise<{ swept: number; failed: number }> {
    const expired = await this.deps.meta.listExpiredUploads(Math.floor(now / 1000), limit);
    let swept = 0;
    let failed = 0;
    for (let i = 0; i < expired.length; i += SWEEP_CONCURRENCY) {
      await Promise.all(expired.slice(i, i + SWEEP_CONCURRENCY).map(async (session) => {
        try {
          await this.discard(session);
          await this.deps.meta.deleteUpload(session.id);
          swept += 1;
        } catch (err) {
          failed += 1;
          this.deps.logger.warn('could not sweep expired upload', { uploadId: session.id, error: String(err) });
        }
      }));
    }
    return { swept, failed };
  }

  /**
   * Links a blob another repository holds; null when `from` does not hold it, or when the garbage collector
   * is deleting the blob (the client then uploads it, as the spec's 202 answer to a failed mount says).
   */
  async mount(repository: string, digestParam: string, from: string): Promise<BlobRecord | null> {
    const digest = parseDigest(digestParam);
    // Consistent: the new link copies this one's objectKey, which a re-upload of a lost blob may just have changed.
    const link = await this.deps.meta.getLinkedBlob(from, digest.value, { consistent: true });
    if (!link) return null;
    const record = { digest: link.digest, size: link.size, objectKey: link.objectKey };
    try {
      await this.deps.meta.linkBlob(repository, record, this.deps.now());
    } catch (err) {
      if (err instanceof BlobRecordGoneError) return null;
      throw err;
    }
    return record;
  }

  private async finish(
    repository: string, session: UploadSession, digest: Digest, input: BodyInput,
    declaredLength: number | undefined, hash: RunningHash | null, target: KnownTarget,
  ): Promise<BlobRecord> {
    const { blobs, config } = this.deps;
    let written: Awaited<ReturnType<typeof writeBody>>;
    try {
      written = await writeBody(blobs, config, session, input.body, { declaredLength, final: true, hash, partNumbers: this.partNumbers(session, declaredLength, true) });
    } catch (err) {
      // An earlier attempt of this PUT may have got further: assembled the object, then failed before
      // recording it or deleting the session. Its multipart upload or tail is then gone, which the blob
      // store tells as MultipartUploadGoneError, or as a backend failure when it answers before reading the part.
      if (session.offset > 0 && !(err instanceof OciError)) {
        const assembled = await this.finishAssembled(repository, session, digest, target);
        if (assembled) return assembled;
      }
      if (err instanceof MultipartUploadGoneError || err instanceof UploadTailMissingError) {
        await this.discard(session);
        await this.deps.meta.deleteUpload(session.id);
        throw new OciError('BLOB_UPLOAD_UNKNOWN', `upload ${session.id} lost its bytes (its multipart upload was aborted); start again`);
      }
      throw err;
    }
    const { session: done, garbage } = written;
    // Leftovers are deleted only once the outcome is final: a retried PUT still finds the session's tail.
    const actual = hash && digest.algorithm === 'sha256'
      ? hash.digestHex()
      : await hashStoredObject(blobs, done.objectKey, digest.algorithm);
    if (actual !== digest.hex) return this.refuse(session, done.objectKey, garbage, digest, actual);
    return this.record(repository, { digest: digest.value, size: done.offset, objectKey: done.objectKey }, garbage, target, session.id);
  }

  /**
   * Completes a session whose object an earlier attempt of this PUT assembled (CompleteMultipartUpload
   * succeeded, perhaps with its answer lost) before failing to record the blob or delete the session.
   * The object is this upload's only if its bytes have the digest: it is re-read from the store and
   * verified, whatever the retried request carries. Null when there is no such object.
   */
  private async finishAssembled(repository: string, session: UploadSession, digest: Digest, target: KnownTarget): Promise<BlobRecord | null> {
    const stored = await digestStoredObject(this.deps.blobs, session.objectKey, digest.algorithm);
    if (!stored) return null;
    const garbage = session.tail ? [session.tail.key] : [];
    if (stored.hex !== digest.hex) return this.refuse(session, session.objectKey, garbage, digest, stored.hex);
    return this.record(repository, { digest: digest.value, size: stored.size, objectKey: session.objectKey }, garbage, target, session.id);
  }

  /**
   * Records and links a verified blob and deletes its session in one transaction, then deletes the upload's
   * leftovers. Same bytes already recorded by another upload: one copy is kept, and this upload's object is
   * deleted only once the link to the other is written. The record may also be this upload's own, written by
   * an earlier attempt whose answer was lost: then its object is the blob and stays. The record as read
   * before the body may have changed since (another upload, the collector): the commit's condition then
   * fails, and the record is read again.
   */
  private async record(repository: string, blob: BlobRecord, garbage: string[], target: KnownTarget, sessionId: string): Promise<BlobRecord> {
    const { blobs, meta } = this.deps;
    const now = this.deps.now();
    // A repository's first blob lists it; never inside the transaction (every upload would write that item).
    if (!target.listed) await meta.addRepository(repository);
    let known = target.record;
    for (let round = 1; ; round++) {
      const { record, write } = await this.recordWrite(blob, known);
      if (await meta.commitUpload(repository, record, write, now, target.stored ? sessionId : undefined)) {
        if (record.objectKey !== blob.objectKey) await blobs.delete(blob.objectKey);
        await this.collect(garbage);
        return { digest: record.digest, size: record.size, objectKey: record.objectKey };
      }
      if (round >= RECORD_ROUNDS) {
        throw new OciError('UNAVAILABLE', `blob ${blob.digest} kept changing while this upload recorded it (other uploads, the garbage collector): retry the PUT`, {
          headers: { 'retry-after': '1' },
        });
      }
      await new Promise((r) => setTimeout(r, Math.random() * 10 * round)); // racers apart
      known = await meta.getBlob(blob.digest);
    }
  }

  /**
   * The blob record an upload links, and how it is written: its own when none exists; the one already
   * recorded when it is not being deleted and its object exists (a HEAD); else this upload's object
   * replaces it (a record restored without its bucket, an object deleted by hand, one the collector is deleting).
   */
  private async recordWrite(blob: BlobRecord, known: BlobRecord | null): Promise<{ record: BlobRecord; write: RecordWrite }> {
    if (!known) return { record: blob, write: { kind: 'create' } };
    if (known.objectKey === blob.objectKey) return { record: blob, write: { kind: 'renew', objectKey: blob.objectKey } };
    if (known.gcState !== 'deleting' && (await this.deps.blobs.stat(known.objectKey))) {
      return { record: { digest: known.digest, size: known.size, objectKey: known.objectKey }, write: { kind: 'renew', objectKey: known.objectKey } };
    }
    return { record: blob, write: { kind: 'replace', objectKey: known.objectKey } };
  }

  /**
   * Deletes bytes that do not have the digest the client named, and the session, and answers DIGEST_INVALID.
   * The bytes stay if an earlier attempt already recorded them as the blob they are (a retry naming
   * another digest than the attempt that got that far).
   */
  private async refuse(session: UploadSession, objectKey: string, garbage: string[], digest: Digest, actual: string): Promise<never> {
    const recorded = await this.deps.meta.getBlob(`${digest.algorithm}:${actual}`);
    if (recorded?.objectKey !== objectKey) await this.deps.blobs.delete(objectKey);
    await this.deps.meta.deleteUpload(session.id);
    await this.collect(garbage);
    throw new OciError('DIGEST_INVALID', `content digest is ${digest.algorithm}:${actual}, not ${digest.value}`, {
      detail: { expected: digest.value, actual: `${digest.algorithm}:${actual}` },
    });
  }

  /** Aborts the session's multipart upload and deletes its leftovers (the committed tail and any a failed chunk left). */
  private async discard(session: UploadSession): Promise<void> {
    const { blobs } = this.deps;
    if (session.multipartId) await blobs.abortMultipart(session.objectKey, session.multipartId);
    const leftovers = new Set(await blobs.list(storageKeys.uploadLeftovers(session.id), 1000));
    if (session.tail) leftovers.add(session.tail.key);
    await Promise.all([...leftovers].map((key) => blobs.delete(key)));
  }

  private async collect(keys: string[]): Promise<void> {
    await Promise.all(keys.map((k) => this.deps.blobs.delete(k).catch((err) => {
      this.deps.logger.warn('could not delete upload leftover', { key: k, error: String(err) });
    })));
  }

  /** The part numbers of one write of the session (see PartNumbers: unique across racing processes). */
  private partNumbers(session: UploadSession, declaredLength: number | undefined, final = false): PartNumbers {
    const reserve = (count: number, base: number) => this.deps.meta.reserveParts(session.id, count, base);
    const estimate = partsNeeded(declaredLength, session.tail?.size ?? 0, this.deps.config.partSize);
    // docker's empty PUT after its one PATCH: the tail alone becomes the last part
    return new PartNumbers(session, reserve, estimate, final && declaredLength === 0);
  }

  private newSession(repository: string): UploadSession {
    const id = randomUUID();
    const now = this.deps.now();
    return { id, repository, offset: 0, objectKey: storageKeys.uploadObject(id), parts: [], createdAt: now, expiresAt: this.expiry() };
  }

  private expiry(): number {
    return Math.floor(this.deps.now() / 1000) + this.deps.config.uploadTtlSeconds;
  }
}

/** What a completion read before its body: the target, and whether the session is stored (not a monolithic POST's). */
type KnownTarget = Omit<UploadTarget, 'session'> & { stored: boolean };

/** Whether an upload id can name a session (ids are UUIDs; anything else is unknown without a read). */
function validId(id: string): boolean {
  return /^[a-zA-Z0-9-]{1,64}$/.test(id);
}

/** The session when it is live, of this repository and usable by `as` (see mayUse); else BLOB_UPLOAD_UNKNOWN. */
function admitted(repository: string, id: string, session: UploadSession | null, as?: SessionAccess): UploadSession {
  if (!session || session.repository !== repository || !mayUse(session, as)) {
    throw new OciError('BLOB_UPLOAD_UNKNOWN', `upload ${id.slice(0, 64)} is unknown or expired`);
  }
  return session;
}

/** A range conflict when the chunk's Content-Range does not start where the session ends. */
function startConflict(session: UploadSession, input: BodyInput): RangeConflict | undefined {
  if (!input.range || input.range.start === session.offset) return undefined;
  return { outcome: 'range-conflict', session, reason: `chunk starts at ${input.range.start}, upload is at ${session.offset}` };
}

/** The chunk's length from its Content-Range, else its Content-Length; SIZE_INVALID when the two disagree. */
function declaredLengthOf(input: BodyInput): number | undefined {
  if (!input.range) return input.length;
  const { start, end } = input.range;
  const length = end - start + 1;
  if (input.length !== undefined && input.length !== length) {
    throw new OciError('SIZE_INVALID', `Content-Length ${input.length} does not match Content-Range ${start}-${end}`);
  }
  return length;
}
