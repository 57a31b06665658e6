import { createHash, Hash } from 'node:crypto';
import { createSHA256 } from 'hash-wasm';
import type { DigestAlgorithm } from '../../oci/digest';
import type { BlobStore } from '../../ports/blob-store';
import type { UploadSession } from '../../ports/upload-session-store';

/** A sha256 being computed over an upload's bytes, possibly across requests. */
export interface RunningHash {
  update(chunk: Uint8Array): void;
  /** Finishes the hash and returns the hex digest; the hash cannot be used afterwards. */
  digestHex(): string;
  /** State to store in the session (base64), or undefined when the state lives only in this process. */
  save(): string | undefined;
}

/**
 * node:crypto hashes (about 5x faster than WebAssembly here, but not serialisable) of the sessions this
 * process is streaming, so the request that completes an upload here need not re-read the bytes.
 */
export class LiveHashes {
  private readonly hashes = new Map<string, { offset: number; hash: Hash }>();
  constructor(private readonly capacity = 10000) {}

  /** Removes and returns the hash of a session if it covers exactly `offset` bytes. */
  take(id: string, offset: number): Hash | undefined {
    const entry = this.hashes.get(id);
    this.hashes.delete(id);
    return entry && entry.offset === offset ? entry.hash : undefined;
  }

  keep(id: string, offset: number, hash: Hash): void {
    if (this.hashes.size >= this.capacity) this.hashes.delete(this.hashes.keys().next().value!);
    this.hashes.set(id, { offset, hash });
  }
}

/**
 * Picks how to continue hashing a session: the live hash this process holds, else the saved resumable
 * state, else (at offset 0) a new one. A new hash is resumable (WebAssembly, about 5x slower) only for a
 * chunk of a known, modest size that does not end the upload: a request that completes the upload never
 * needs to save its state. Null means the earlier bytes were hashed in another process without a saved
 * state: the blob is re-hashed on completion.
 */
export async function resumeHash(
  session: UploadSession, live: LiveHashes,
  body: { declaredLength: number | undefined; final: boolean }, resumableMaxBytes: number,
): Promise<RunningHash | null> {
  const hash = live.take(session.id, session.offset);
  if (hash) return liveHash(session.id, hash, live);
  if (session.hashState) return resumableHash(Buffer.from(session.hashState, 'base64'));
  if (session.offset !== 0) return null;
  const resumable = !body.final && body.declaredLength !== undefined && body.declaredLength <= resumableMaxBytes;
  return resumable ? resumableHash() : liveHash(session.id, createHash('sha256'), live);
}

function liveHash(id: string, hash: Hash, live: LiveHashes): RunningHash & { keepAt(offset: number): void } {
  return {
    update: (chunk) => void hash.update(chunk),
    digestHex: () => hash.digest('hex'),
    save: () => undefined,
    keepAt: (offset) => live.keep(id, offset, hash),
  };
}

async function resumableHash(state?: Uint8Array): Promise<RunningHash> {
  const hasher = await createSHA256();
  hasher.init();
  if (state) hasher.load(state);
  return {
    update: (chunk) => void hasher.update(chunk),
    digestHex: () => hasher.digest('hex'),
    save: () => Buffer.from(hasher.save()).toString('base64'),
  };
}

/** Lets a live hash be found again by the next request of the same session in this process. */
export function keepLiveHash(hash: RunningHash | null, offset: number): void {
  const h = hash as (RunningHash & { keepAt?: (offset: number) => void }) | null;
  h?.keepAt?.(offset);
}

/** Hashes a stored object from the start: the fallback when no running hash covers the upload. */
export async function hashStoredObject(blobs: BlobStore, key: string, algorithm: DigestAlgorithm): Promise<string> {
  const stored = await digestStoredObject(blobs, key, algorithm);
  if (!stored) throw new Error(`uploaded object ${key} is missing`);
  return stored.hex;
}

/** The digest (hex) and size of a stored object, or null when there is no such object. */
export async function digestStoredObject(
  blobs: BlobStore, key: string, algorithm: DigestAlgorithm,
): Promise<{ hex: string; size: number } | null> {
  const stream = await blobs.get(key);
  if (!stream) return null;
  const hash = createHash(algorithm);
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { hex: hash.digest('hex'), size };
}
