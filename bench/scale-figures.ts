/**
 * Issue 17's figures, taken after bench/measure.ts on the same running registry: backend calls per single
 * operation, manifest PUTs per second over one connection, a complete tags list of a large repository in
 * pages of 1,000, and the registry's RSS during parallel pushes and at rest.
 */
import { QUICK } from './settings';
import type { Registry } from './contenders';
import { measureOperations, Operations } from './operations';
import { measurePagedTagsList, PagedTagsList } from './listings';
import { join } from 'node:path';
import { ROOT } from './settings';
import { listenerPid } from './contenders';
import { measurePushPeaks, rssMB } from './memory';

/** Repetitions of each counted operation. */
export const OPERATION_TIMES = QUICK ? 3 : 10;
/** Manifest PUTs timed per rate (to new repositories, and new tags). */
export const MANIFEST_PUTS = QUICK ? 50 : 300;
/** Tags in the large repository, and the page size its list is read in. */
export const PAGED_TAGS = QUICK ? 1000 : 10000;
export const PAGE_SIZE = 1000;
export const PAGED_LISTINGS = QUICK ? 3 : 10;
/** Parallel pushes for the RSS figure: 4 layers of 200 MiB (quick: 50 MiB). */
export const PARALLEL = { count: 4, mb: QUICK ? 50 : 200 };

/** The registry process's RSS at rest, then its peak while PARALLEL.count blobs are pushed at once. */
export interface ParallelRss { layers: number; layerMB: number; seconds: number; peakRssMB?: number; idleRssMB?: number }

/** What this adds to a registry's figures. */
export interface ScaleFigures { operations?: Operations; pagedTagsList?: PagedTagsList; parallel?: ParallelRss }

/** bench/memory.ts's parallel push (the same blobs as `npm run bench:memory`), on this contender. */
async function parallelRss(reg: Registry): Promise<ParallelRss | undefined> {
  const pid = listenerPid(reg.port);
  if (!pid) return undefined;
  await new Promise((r) => setTimeout(r, 3000));
  const idleRssMB = rssMB(pid);
  const label = `${PARALLEL.count} x ${PARALLEL.mb} MB`;
  const steps = await measurePushPeaks(reg.base, pid, { [label]: PARALLEL }, join(ROOT, '.stratus', 'bench-cache', 'memory'), () => undefined);
  return { layers: PARALLEL.count, layerMB: PARALLEL.mb, seconds: steps[label]!.seconds, peakRssMB: steps[label]!.peakRssMB, idleRssMB };
}

export async function measureScaleFigures(reg: Registry, log: (phase: string) => void): Promise<ScaleFigures> {
  const operations = await measureOperations(reg, OPERATION_TIMES, MANIFEST_PUTS);
  log('operations');
  const pagedTagsList = await measurePagedTagsList(reg.base, 'bench/tags-large', PAGED_TAGS, PAGED_LISTINGS, PAGE_SIZE);
  log(`${PAGED_TAGS} tags`);
  const parallel = await parallelRss(reg);
  log(`${PARALLEL.count} x ${PARALLEL.mb} MB pushes`);
  return { operations, pagedTagsList, parallel };
}
