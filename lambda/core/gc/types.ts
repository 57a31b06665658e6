/** The collector's API: what a run needs, what it is told, and what it answers (the run and its plan). */
import type { BlobStore } from '../../ports/blob-store';
import type { GcRunRecord, GcStore } from '../../ports/gc-store';
import type { Logger } from '../../shared/logger';

/** What collectGarbage works with; `now` is the clock (ms since the epoch). */
export interface GcDeps {
  gc: GcStore;
  blobs: BlobStore;
  logger: Logger;
  now: () => number;
}

/** Where a run is, for a progress display. */
export interface GcProgress {
  phase: 'snapshot' | 'plan' | 'repositories' | 'blobs' | 'objects' | 'done';
  done: number;
  total?: number;
}

/** Test hooks awaited between a run's steps (the race tests pause the collector there). */
export interface GcPauses {
  afterSnapshot?: () => Promise<void>;
  /** After the repository's garbage is condemned, before it is read again. */
  afterCondemn?: (repository: string) => Promise<void>;
  /** After the repository is read again and liveness recomputed, before releases and deletes. */
  afterVerify?: (repository: string) => Promise<void>;
  /** Before a blob's or an unrecorded object's bytes are deleted. */
  beforeObjectDelete?: (key: string) => Promise<void>;
}

/** How one run goes. */
export interface GcOptions {
  /** Items touched within this many ms before the run started are live. */
  graceMs: number;
  /** Computes and records the plan, deletes nothing. */
  dryRun: boolean;
  /** Where it runs: 'cli', 'lambda', a host name (recorded with the run). */
  host: string;
  /** ms since the epoch: the run stops between steps once past it and is recorded 'incomplete'. */
  deadline?: number;
  /** Unrecorded objects younger than this are kept. @default max(graceMs, 1 hour) */
  orphanMinAgeMs?: number;
  onProgress?: (p: GcProgress) => void;
  pauses?: GcPauses;
}

/** One thing the run would delete (dry run) or tried to (done: whether it did). */
export interface PlannedDeletion {
  kind: 'manifest' | 'link' | 'blob' | 'object';
  repository?: string;
  digest?: string;
  /** The object: a blob's, a manifest body's, or an unrecorded one. */
  key?: string;
  bytes: number;
  /** Why it is garbage, e.g. "untagged, pushed 3 d ago, nothing reaches it". */
  reason: string;
  done: boolean;
}

/** What a run answers: its record (as stored) and its plan. */
export interface GcReport {
  run: GcRunRecord;
  plan: PlannedDeletion[];
}
