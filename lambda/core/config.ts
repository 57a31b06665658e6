import type { AuthDeps } from '../auth/auth-config';
import type { BlobStore } from '../ports/blob-store';
import type { GcStore } from '../ports/gc-store';
import type { MetadataStore } from '../ports/metadata-store';
import type { MirrorStore, UpstreamCredentialSource } from '../ports/mirror-store';
import type { PolicyStore } from '../ports/policy-store';
import type { StaticAssets } from '../ports/static-assets';
import type { UpstreamFactory } from '../ports/upstream-registry';
import type { Logger } from '../shared/logger';

/** Tunables of the registry core; every field has a default in defaultConfig. */
export interface RegistryConfig {
  /** Largest manifest body accepted (the spec's common limit is 4 MiB). */
  maxManifestBytes: number;
  /** Manifest bodies up to this size are stored inline in the metadata item; larger go to the blob store. */
  inlineManifestBytes: number;
  /** Size of the parts a streamed upload is cut into; an upload holds at most (queue + 1) parts. */
  partSize: number;
  /** Parts uploaded concurrently per upload. */
  partQueue: number;
  /**
   * STRATUS_UPLOAD_MEMORY_MB: bytes of part buffers all uploads of the process may hold together (one
   * process-wide pool, see part-buffer.ts); uploads beyond it wait for a buffer. At least one part.
   */
  uploadMemoryBytes: number;
  /** The store's minimum part size (S3: 5 MiB); smaller leftovers are kept as a tail object. */
  minPartSize: number;
  /** OCI-Chunk-Min-Length: the chunk size clients are asked to send at least (smaller ones still work). */
  chunkMinLength: number;
  /** Bodies with a declared length up to this are hashed resumably (state saved in the session). */
  resumableHashMaxBytes: number;
  /** Lifetime of presigned blob URLs. */
  presignTtlSeconds: number;
  /** Lifetime of an idle upload session. */
  uploadTtlSeconds: number;
  /** Largest `n` honoured for tags and catalog pages. */
  maxPageSize: number;
  /**
   * Repository names one catalog request examines at most (`n` when larger): a caller who may see few
   * repositories gets a short page and a Link to continue, not a read of the whole catalog.
   */
  catalogScanLimit: number;
  /** STRATUS_CORS_ORIGIN: `*` (any origin, no credentials), a comma-separated list of origins given credentials, or empty (CORS off). */
  corsOrigin: string;
  /** Absolute base URL for upload Locations (another host, e.g. the upload service); relative when empty. */
  uploadBaseUrl: string;
  /** How blob GETs are answered: a 307 to a presigned URL, or the bytes streamed by the host (Node host only). */
  blobDelivery: BlobDelivery;
  /**
   * STRATUS_TAG_CACHE_SECONDS: how long a pull by tag may reuse what this process last read of the tag
   * (tag-cache.ts); a tag moved by another process is seen by this one within it. 0 = off (the Node host's
   * default); the Lambda host's is LAMBDA_TAG_CACHE_SECONDS.
   */
  tagCacheSeconds: number;
  /**
   * Registry mirror: a cold blob larger than this is not fetched by this host (the Lambda host, within API
   * Gateway's 30 s): it answers 307 to the upload service (uploadBaseUrl), which fetches it, or 503 without one.
   */
  mirrorFillInlineMaxBytes: number;
  /** Registry mirror: seconds a fill's lease lasts unless renewed (the filling host renews it while it streams). */
  mirrorLeaseSeconds: number;
  /** Registry mirror: seconds a request waits for another host's fill of the same blob or manifest, then 503 + Retry-After. */
  mirrorWaitSeconds: number;
}

/** 'redirect': 307 to a presigned storage URL; 'proxy': the registry streams the bytes (clients cannot reach storage). */
export type BlobDelivery = 'redirect' | 'proxy';

const MiB = 1024 * 1024;

/** Defaults suited to the Node host; the Lambda host lowers the body limits. */
export const defaultConfig: RegistryConfig = {
  maxManifestBytes: 4 * MiB,
  inlineManifestBytes: 64 * 1024,
  // 8 MiB x S3's 10,000 parts: blobs up to 78 GiB. Measured: same speed as 16 MiB, 40 MB less peak RSS.
  partSize: 8 * MiB,
  partQueue: 2,
  // 3 parts: one upload at full speed (partQueue + 1 parts), others waiting their turn. Measured with npm start
  // (60 MB idle): peak 112 MB during a 1 GiB push, 120 MB during 4 x 200 MB; 32 MiB gave 130 MB (README, Performance).
  uploadMemoryBytes: 24 * MiB,
  minPartSize: 5 * MiB,
  chunkMinLength: 5 * MiB,
  resumableHashMaxBytes: 64 * MiB,
  presignTtlSeconds: 900,
  // A session's Location is a capability (with auth on, its secret opens it without credentials): short-lived, renewed by each chunk.
  uploadTtlSeconds: 3600,
  maxPageSize: 10000,
  catalogScanLimit: 5000,
  corsOrigin: '*',
  uploadBaseUrl: '',
  blobDelivery: 'redirect',
  tagCacheSeconds: 0,
  mirrorFillInlineMaxBytes: Number.MAX_SAFE_INTEGER,
  mirrorLeaseSeconds: 30,
  mirrorWaitSeconds: 60,
};

/** What the core needs from its host: ports, a logger and its configuration. */
export interface RegistryDeps {
  blobs: BlobStore;
  meta: MetadataStore;
  logger: Logger;
  config: RegistryConfig;
  /** Milliseconds since the epoch; replaceable in tests. */
  now: () => number;
  /** Token authentication and per-repository permissions; absent = auth off (everyone may do anything). */
  auth?: AuthDeps;
  /** Retention and tag-immutability policies; absent = no policies (every tag mutable). */
  policies?: PolicyStore;
  /** The garbage collector's run records, shown to administrators in the web UI; absent = none shown. */
  gcRuns?: Pick<GcStore, 'listRuns'>;
  /**
   * Runs work a request starts but its answer must not wait for (a pull's lastPulledAt, at most once an hour
   * per manifest). The Lambda host runs it before the invocation returns (a frozen environment would not);
   * absent (the Node host), it starts once the answer has been handed back. Tasks handle their own errors.
   */
  background?: (task: () => Promise<void>) => void;
  /** The built web UI's files, served at `/` and `/ui/`; absent = no web UI on this host. */
  assets?: StaticAssets;
  /** Pull-through cache (registry mirror): rules and marks, upstream credentials and clients; absent = no mirror. */
  mirror?: MirrorDeps;
}

/** What the registry mirror needs: its store, where upstream credentials are, and how to reach an upstream. */
export interface MirrorDeps {
  store: MirrorStore;
  credentials: UpstreamCredentialSource;
  /** Makes the client of a rule's upstream (the HTTP adapter in hosts; a fake in unit tests). */
  upstream: UpstreamFactory;
}

/** RegistryDeps with the metadata narrowed to the ports one service or handler uses (e.g. `DepsUsing<Catalog>`). */
export type DepsUsing<M> = Omit<RegistryDeps, 'meta'> & { meta: M };
