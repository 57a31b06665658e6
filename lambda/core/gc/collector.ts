import { randomUUID } from 'node:crypto';
import type { GcRunRecord, RegistrySnapshot, RepositorySnapshot } from '../../ports/gc-store';
import { mapLimit } from '../../shared/map-limit';
import { assessRepository } from './liveness';
import { LISTED_PREFIXES, planOrphan, RepositoryPlan, RunPlan, planRun, uploadIdOf } from './plan';
import { withReferences } from './references';
import type { GcDeps, GcOptions, GcReport, PlannedDeletion } from './types';

/** Writes in flight at once (conditional updates, deletes). */
const WRITE_CONCURRENCY = 16;
/** Repositories condemned, verified and deleted at once (each with its own writes in flight). */
const REPOSITORY_CONCURRENCY = 4;
/** An object listing page (one LIST). */
const LIST_PAGE = 1000;
const HOUR = 3600_000;

/** The run stopped at its deadline between two steps. */
class DeadlineReached extends Error {}

/**
 * One garbage collection run (README "How a run works"): record the run, snapshot the table, plan, then
 * per repository condemn -> read again and recompute liveness -> release what is live, delete the rest;
 * then blob records no link holds (condemned -> deleting -> object deleted -> record deleted); then objects
 * no item names. A dry run stops after the plan (objects included). The run record says how it ended; a
 * failure is recorded and rethrown.
 */
export async function collectGarbage(deps: GcDeps, opts: GcOptions): Promise<GcReport> {
  const startedAt = deps.now();
  const run: GcRunRecord = {
    runId: randomUUID(), startedAt, dryRun: opts.dryRun, graceMs: opts.graceMs, status: 'running', host: opts.host,
    manifestsDeleted: 0, linksDeleted: 0, blobsDeleted: 0, objectsDeleted: 0, bytesFreed: 0,
  };
  await deps.gc.putRun(run);
  const ctx = new RunContext(deps, opts, run);
  try {
    await ctx.execute();
    run.status = 'completed';
  } catch (err) {
    if (!(err instanceof DeadlineReached)) {
      run.status = 'failed';
      run.error = err instanceof Error ? err.message : String(err);
    } else run.status = 'incomplete';
  }
  ctx.finish();
  await deps.gc.putRun(run);
  const { logger } = deps;
  const summary = {
    runId: run.runId, manifests: run.manifestsDeleted, links: run.linksDeleted, blobs: run.blobsDeleted, objects: run.objectsDeleted,
    bytesFreed: run.bytesFreed, durationMs: run.finishedAt! - startedAt, dryRun: run.dryRun, status: run.status, planned: ctx.plan.length,
  };
  if (run.status === 'failed') {
    logger.error('gc failed', { ...summary, error: run.error });
    throw new Error(`gc run ${run.runId} failed: ${run.error}`);
  }
  logger.info('gc finished', summary);
  return { run, plan: ctx.plan };
}

/** The state of one run while it goes. */
class RunContext {
  plan: PlannedDeletion[] = [];
  private readonly cutoff: number;
  private readonly orphanMinAgeMs: number;

  constructor(private readonly deps: GcDeps, private readonly opts: GcOptions, private readonly run: GcRunRecord) {
    this.cutoff = run.startedAt - opts.graceMs;
    this.orphanMinAgeMs = opts.orphanMinAgeMs ?? Math.max(opts.graceMs, HOUR);
  }

  async execute(): Promise<void> {
    const { gc, blobs, logger, now } = this.deps;
    this.progress('snapshot', 0);
    const raw = await gc.snapshot();
    const snapshot: RegistrySnapshot = {
      ...raw, repositories: await mapLimit(raw.repositories, WRITE_CONCURRENCY, (r) => withReferences(r, blobs, logger)),
    };
    await this.opts.pauses?.afterSnapshot?.();
    this.progress('plan', 0);
    const plan = planRun(snapshot, this.cutoff, now());
    this.plan = plan.entries;
    if (this.opts.dryRun) {
      await this.listOrphans(plan, new Set(snapshot.uploadIds));
      return;
    }
    this.checkDeadline();
    const linksLeft = new Map(plan.blobs.map((b) => [b.facts.digest, b.links]));
    let repositoriesDone = 0;
    await mapLimit(plan.repositories, REPOSITORY_CONCURRENCY, async (repo) => {
      this.checkDeadline();
      await this.collectRepository(repo, plan, linksLeft);
      this.progress('repositories', ++repositoriesDone, plan.repositories.length);
    });
    this.checkDeadline();
    this.progress('blobs', 0, plan.blobs.length);
    const ready = plan.blobs.filter((b) => b.facts.gcState === 'deleting' || linksLeft.get(b.facts.digest) === 0);
    await mapLimit(ready, WRITE_CONCURRENCY, async (b) => {
      this.checkDeadline();
      if (await this.collectBlob(b.facts.digest, b.facts.objectKey, b.facts.gcState === 'deleting')) this.done(b.entry);
    });
    this.checkDeadline();
    const orphans = await this.listOrphans(plan, new Set(snapshot.uploadIds));
    await this.deleteOrphans(orphans);
  }

  /** Condemn, verify with a consistent re-read and the same liveness, then release or delete. */
  private async collectRepository(repo: RepositoryPlan, plan: RunPlan, linksLeft: Map<string, number>): Promise<void> {
    const { gc, blobs, logger, now } = this.deps;
    const runId = this.run.runId;
    const manifests = (await mapLimit(repo.manifests, WRITE_CONCURRENCY, async (m) =>
      (await gc.condemnManifest(repo.repository, m.facts.digest, runId, this.cutoff)) ? m : null)).filter(isSome);
    const links = (await mapLimit(repo.links, WRITE_CONCURRENCY, async (l) =>
      (await gc.condemnLink(repo.repository, l.facts.digest, runId, this.cutoff)) ? l : null)).filter(isSome);
    if (manifests.length + links.length === 0) return;
    await this.opts.pauses?.afterCondemn?.(repo.repository);
    const fresh = await withReferences(await gc.readRepository(repo.repository), blobs, logger);
    const verdicts = assessRepository(fresh, this.cutoff, now());
    await this.opts.pauses?.afterVerify?.(repo.repository);
    const bodies: string[] = [];
    const dependsOn = manifestDependencies(fresh);
    const garbage = new Map<string, (typeof manifests)[number]>();
    for (const m of manifests) {
      const verdict = verdicts.manifests.get(m.facts.digest);
      if (!verdict) continue; // deleted meanwhile (by a DELETE, or another run)
      if (verdict.live) await gc.releaseManifest(repo.repository, m.facts.digest, runId);
      else garbage.set(m.facts.digest, m);
    }
    // Parents (indexes, subjects) go before what depends on them, and each delete requires them gone: a
    // client renewing one after the verify keeps everything it reaches.
    const kept = new Set<string>();
    while (garbage.size > 0) {
      const wave = [...garbage.values()].filter((m) => (dependsOn.get(m.facts.digest) ?? []).every((d) => !garbage.has(d)));
      if (wave.length === 0) break; // no dependency cycles exist in content-addressed manifests; stop rather than loop
      for (const m of wave) garbage.delete(m.facts.digest);
      await mapLimit(wave, WRITE_CONCURRENCY, async (m) => {
        const parents = dependsOn.get(m.facts.digest) ?? [];
        const deleted = parents.some((d) => kept.has(d)) ? null : await gc.deleteCondemnedManifest(repo.repository, m.facts.digest, runId, parents);
        if (!deleted) {
          kept.add(m.facts.digest);
          await gc.releaseManifest(repo.repository, m.facts.digest, runId); // if still ours: no stale mark
          return;
        }
        this.done(m.entry);
        const body = deleted.bodyKey ? plan.bodies.get(deleted.bodyKey) : undefined;
        if (body && --body.users === 0 && body.entry) bodies.push(deleted.bodyKey!);
      });
    }
    const namedBy = manifestsNaming(fresh);
    await mapLimit(links, WRITE_CONCURRENCY, async (l) => {
      const verdict = verdicts.links.get(l.facts.digest);
      if (!verdict) return;
      if (verdict.live) {
        await gc.releaseLink(repo.repository, l.facts.digest, runId);
        return;
      }
      if (!(await gc.deleteCondemnedLink(repo.repository, l.facts.digest, runId, namedBy.get(l.facts.digest) ?? []))) {
        await gc.releaseLink(repo.repository, l.facts.digest, runId);
        return;
      }
      this.done(l.entry);
      const left = linksLeft.get(l.facts.digest);
      if (left !== undefined) linksLeft.set(l.facts.digest, left - 1);
    });
    for (const key of bodies) {
      await this.opts.pauses?.beforeObjectDelete?.(key);
      await blobs.delete(key);
      this.done(plan.bodies.get(key)!.entry!);
    }
  }

  /**
   * A blob record no link holds: condemned (if still old), released when a back-link appeared, else
   * `deleting` (nothing rescues it then), its object deleted, the record last. `dying`: left `deleting` by a run
   * that stopped; finished here.
   */
  private async collectBlob(digest: string, objectKey: string, dying: boolean): Promise<boolean> {
    const { gc, blobs } = this.deps;
    const runId = this.run.runId;
    if (!dying) {
      if (!(await gc.condemnBlob(digest, runId, this.cutoff))) return false;
      if (await gc.blobLinked(digest)) {
        await gc.releaseBlob(digest, runId);
        return false;
      }
      if (!(await gc.markBlobDeleting(digest, runId))) return false;
    }
    await this.opts.pauses?.beforeObjectDelete?.(objectKey);
    await blobs.delete(objectKey);
    return gc.deleteDeletingBlob(digest, objectKey);
  }

  /** Lists the bucket's prefixes for objects no snapshot item names (the plan's last part). */
  private async listOrphans(plan: RunPlan, uploadIds: Set<string>): Promise<PlannedDeletion[]> {
    const found: PlannedDeletion[] = [];
    const now = this.deps.now();
    const olderThan = this.run.startedAt - this.orphanMinAgeMs;
    for (const prefix of LISTED_PREFIXES) {
      let after: string | undefined;
      for (;;) {
        const page = await this.deps.blobs.listObjects(prefix, after, LIST_PAGE);
        for (const o of page) {
          const entry = planOrphan(o, plan, uploadIds, olderThan, now);
          if (entry) found.push(entry);
        }
        this.progress('objects', found.length);
        if (page.length < LIST_PAGE) break;
        this.checkDeadline();
        after = page[page.length - 1]!.key;
      }
    }
    this.plan.push(...found);
    return found;
  }

  /**
   * Deletes unrecorded objects whose upload session is gone, after reading the table again: a record
   * written after the snapshot (an upload completing then deleting its session) keeps its object.
   */
  private async deleteOrphans(orphans: PlannedDeletion[]): Promise<void> {
    if (orphans.length === 0) return;
    const { gc, blobs } = this.deps;
    const unowned = (await mapLimit(orphans, WRITE_CONCURRENCY, async (o) => {
      const id = uploadIdOf(o.key!);
      return id && (await gc.uploadStored(id)) ? null : o;
    })).filter(isSome);
    if (unowned.length === 0) return;
    this.checkDeadline();
    const again = await gc.snapshot();
    const named = new Set<string>(again.blobs.map((b) => b.objectKey));
    for (const r of again.repositories) for (const m of r.manifests) if (m.bodyKey) named.add(m.bodyKey);
    const owned = new Set(again.uploadIds);
    await mapLimit(unowned, WRITE_CONCURRENCY, async (o) => {
      const id = uploadIdOf(o.key!);
      if (named.has(o.key!) || (id && owned.has(id))) return;
      this.checkDeadline();
      await this.opts.pauses?.beforeObjectDelete?.(o.key!);
      await blobs.delete(o.key!);
      this.done(o);
    });
  }

  /** Marks an entry done and counts it in the run record. */
  private done(entry: PlannedDeletion): void {
    entry.done = true;
    this.run.bytesFreed += entry.bytes;
    if (entry.kind === 'manifest') this.run.manifestsDeleted++;
    else if (entry.kind === 'link') this.run.linksDeleted++;
    else if (entry.kind === 'blob') this.run.blobsDeleted++;
    else this.run.objectsDeleted++;
  }

  finish(): void {
    this.run.finishedAt = this.deps.now();
    this.progress('done', this.plan.filter((e) => e.done).length, this.plan.length);
  }

  private checkDeadline(): void {
    if (this.opts.deadline !== undefined && this.deps.now() >= this.opts.deadline) throw new DeadlineReached('deadline reached');
  }

  private progress(phase: Parameters<NonNullable<GcOptions['onProgress']>>[0]['phase'], done: number, total?: number): void {
    this.opts.onProgress?.({ phase, done, total });
  }
}

/**
 * For each manifest of the repository, the manifests its liveness flows from: indexes listing it, and its
 * subject (even when absent: a subject pushed after the verify keeps its referrers).
 */
function manifestDependencies(repo: RepositorySnapshot): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (digest: string, on: string) => out.set(digest, [...(out.get(digest) ?? []), on]);
  for (const m of repo.manifests) {
    for (const child of m.children ?? []) add(child, m.digest);
    if (m.subject) add(m.digest, m.subject);
  }
  return out;
}

/** For each blob digest, the repository's manifests that name it. */
function manifestsNaming(repo: RepositorySnapshot): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of repo.manifests) for (const b of new Set(m.blobs ?? [])) out.set(b, [...(out.get(b) ?? []), m.digest]);
  return out;
}

function isSome<T>(v: T | null): v is T {
  return v !== null;
}
