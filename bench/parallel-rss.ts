/**
 * The registry process's memory under parallel uploads and at rest (issue 17): its peak RSS (VmHWM, reset
 * through clear_refs) while `count` different layers are pushed at once over the API, and its RSS once idle.
 * The layers are random bytes, made once and cached under .stratus/bench-cache/<mode>-parallel.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { MODE, ROOT } from './settings';
import type { Blob } from './image';
import { pushBlob } from './registry-client';
import { listenerPid, resetPeak, status } from './contenders';
import { round } from './stats';

const MB = 2 ** 20;

/** What the parallel push measured. */
export interface ParallelRss { layers: number; layerMB: number; seconds: number; peakRssMB?: number; idleRssMB?: number }

/** `count` random blobs of `mb` MiB each, cached between runs. */
async function parallelLayers(count: number, mb: number): Promise<Blob[]> {
  const dir = join(ROOT, '.stratus/bench-cache', `${MODE}-parallel`);
  mkdirSync(dir, { recursive: true });
  const index = join(dir, `${count}x${mb}.json`);
  if (existsSync(index)) {
    const cached = JSON.parse(readFileSync(index, 'utf8')) as Blob[];
    if (cached.every((b) => existsSync(b.path) && statSync(b.path).size === b.size)) return cached;
  }
  const blobs: Blob[] = [];
  for (let i = 0; i < count; i++) {
    const path = join(dir, `${mb}-${i}.bin`);
    const out = createWriteStream(path);
    const hash = createHash('sha256');
    for (let left = mb; left > 0; left--) {
      const chunk = randomBytes(MB);
      hash.update(chunk);
      if (!out.write(chunk)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'close');
    blobs.push({ path, digest: `sha256:${hash.digest('hex')}`, size: mb * MB });
  }
  writeFileSync(index, JSON.stringify(blobs));
  return blobs;
}

/** Idle RSS after `restMs` without requests, then the peak RSS while `count` layers of `mb` MiB are pushed at once. */
export async function measureParallelRss(base: string, port: number, count: number, mb: number, restMs = 3000): Promise<ParallelRss> {
  const blobs = await parallelLayers(count, mb);
  const pid = listenerPid(port);
  await new Promise((r) => setTimeout(r, restMs));
  const idleRssMB = pid ? round((status(pid, 'VmRSS') ?? 0) / MB) : undefined;
  const canReset = pid ? resetPeak(pid) : false;
  const t0 = performance.now();
  await Promise.all(blobs.map((b, i) => pushBlob(base, `bench/parallel${i}`, b.digest, b.size, { file: b.path })));
  const seconds = round((performance.now() - t0) / 1000, 2);
  const peakRssMB = pid && canReset ? round((status(pid, 'VmHWM') ?? 0) / MB) : undefined;
  return { layers: count, layerMB: mb, seconds, peakRssMB, idleRssMB };
}
