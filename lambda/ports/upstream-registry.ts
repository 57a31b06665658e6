import type { MirrorRule, UpstreamCredentials } from './mirror-store';

/**
 * The registry a mirror rule fills from (Docker Hub, ghcr.io, another Stratus), as the mirror core sees
 * it: HEAD and GET of manifests and blobs, by the upstream's own repository name (the rule's prefix
 * already removed, e.g. `library/busybox`). Authentication (Docker's token dance, Basic) and redirects
 * are the adapter's business.
 *
 * Results: a value when the upstream has it; null when the upstream says it does not (404, or the error
 * codes MANIFEST_UNKNOWN, BLOB_UNKNOWN, NAME_UNKNOWN); an UpstreamError when it could not be asked or
 * refused the asking. Nothing here verifies digests: the core does, before storing anything.
 */
export interface UpstreamRegistry {
  /** What a manifest HEAD told (tag or digest), or null when unknown upstream. */
  headManifest(name: string, reference: string): Promise<UpstreamManifestHead | null>;
  /** A manifest's exact bytes (at most 4 MiB: larger is an UpstreamUnavailableError), or null when unknown. */
  getManifest(name: string, reference: string): Promise<UpstreamManifest | null>;
  /** A blob's size, or null when unknown upstream. */
  headBlob(name: string, digest: string): Promise<{ size: number } | null>;
  /**
   * A blob's bytes as a stream, or null when unknown upstream. The stream holds a connection until read to
   * the end or cancelled; a stall or a cut mid-body makes the iteration throw UpstreamUnavailableError.
   */
  getBlob(name: string, digest: string): Promise<UpstreamBlob | null>;
}

/** A manifest as a HEAD describes it. Docker Hub and distribution send the digest; not every upstream does. */
export interface UpstreamManifestHead {
  /** The Docker-Content-Digest header, when sent (unverified). */
  digest?: string;
  /** The Content-Type, without parameters. */
  mediaType: string;
  /** The Content-Length, when sent. */
  size?: number;
}

/** A manifest exactly as the upstream sent it. */
export interface UpstreamManifest {
  bytes: Uint8Array;
  /** The Content-Type, without parameters. */
  mediaType: string;
  /** The Docker-Content-Digest header, when sent (unverified: the core hashes `bytes`). */
  digest?: string;
}

/** A blob being read from the upstream. */
export interface UpstreamBlob {
  /** The Content-Length, when sent. */
  size?: number;
  body: AsyncIterable<Uint8Array>;
  /** Ends the download early and frees its connection (harmless after the end). */
  cancel(): Promise<void>;
}

/** A failure to ask the upstream, or its refusal; `reason` is short, safe for logs (no credentials, no tokens). */
export abstract class UpstreamError extends Error {
  constructor(readonly upstream: string, readonly reason: string) {
    super(`upstream ${upstream}: ${reason}`);
  }
}

/**
 * The upstream could not answer now: connection refused or reset, a timeout, a 5xx, 429 (rate limited), a
 * body cut off, or an answer the mirror cannot use (a manifest over 4 MiB, a bad token endpoint). The core
 * serves what it has cached, else 503 with Retry-After.
 */
export class UpstreamUnavailableError extends UpstreamError {
  constructor(upstream: string, reason: string, readonly retryAfterSeconds?: number) {
    super(upstream, reason);
    this.name = 'UpstreamUnavailableError';
  }
}

/**
 * The upstream refused us after authenticating (401/403): wrong credentials, or a private image. Docker Hub
 * answers a repository that does not exist the same way (401 insufficient_scope with a valid token).
 */
export class UpstreamDeniedError extends UpstreamError {
  constructor(upstream: string, reason: string, readonly status: number) {
    super(upstream, reason);
    this.name = 'UpstreamDeniedError';
  }
}

/** Makes the client of a rule's upstream, with the rule's credentials (null: anonymous). */
export type UpstreamFactory = (rule: MirrorRule, credentials: UpstreamCredentials | null) => UpstreamRegistry;
