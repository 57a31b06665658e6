/** Every figure the bench takes of one running registry. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load, LoadResult } from './load';
import { BIG_LAYER_MB, CONCURRENCY, LISTINGS, LOAD_SECONDS, OCI_MANIFEST, RUNS, TAGS, WARMUP_SECONDS } from './settings';
import { Image } from './image';
import { Registry, cpuDuring, listenerPid, resetPeak, status } from './contenders';
import { pull, push, warmupPush } from './registry-client';
import { BackendCalls, callsDuring } from './backend-calls';
import { Listings, measureListings } from './listings';
import { dockerPushPull, Engine, skopeoPushPull } from './real-clients';
import { round } from './stats';

/** One registry's figures; arrays hold every run. */
export interface Figures {
  startSeconds: number;
  pushSeconds: number[]; pullSeconds: number[];
  peakRssDuringPushMB?: number; rssAfterStartMB?: number;
  pullBytesViaRegistry: number; pullBytesViaRedirect: number; pullRedirects: number;
  manifest: Record<string, LoadResult[]>;
  skopeoPushSeconds: number[]; skopeoPullSeconds: number[];
  dockerPushSeconds: number[]; dockerPullSeconds: number[];
  /** The single big layer (BIG_LAYER_MB): push time and the registry process's peak RSS meanwhile. */
  bigPushSeconds?: number; peakRssDuringBigPushMB?: number;
  listings?: Listings;
  /** Backend calls per API push and pull of the synthetic image, per docker push and pull, and during the manifest load. */
  backendCalls: Record<string, BackendCalls | undefined>;
  /** CPU seconds per phase and process role (registry, its backends, the bench client that generates load). */
  cpuSeconds: Record<string, Record<string, number>>;
  /** CPU milliseconds per manifest request, per process role. */
  cpuMsPerRequest: Record<string, Record<string, number>>;
}

const MB = 2 ** 20;

/** Everything but the start time, in a fixed order; `engine` absent = no Docker figures. */
export async function measure(reg: Registry, image: Image, big: Image, layout: string, engine: Engine | undefined, log: (s: string) => void): Promise<Omit<Figures, 'startSeconds'>> {
  const pid = listenerPid(reg.port);
  const f: Omit<Figures, 'startSeconds'> = {
    pushSeconds: [], pullSeconds: [], manifest: {}, pullBytesViaRegistry: 0, pullBytesViaRedirect: 0, pullRedirects: 0,
    skopeoPushSeconds: [], skopeoPullSeconds: [], dockerPushSeconds: [], dockerPullSeconds: [],
    backendCalls: {}, cpuSeconds: {}, cpuMsPerRequest: {},
  };
  if (pid) f.rssAfterStartMB = round((status(pid, 'VmRSS') ?? 0) / MB);
  const canReset = pid ? resetPeak(pid) : false;
  // Warm-up, not recorded: one small blob and a manifest through every path a push takes (JIT of the Node
  // registry and of DynamoDB Local's JVM, connection pools), so that the figures compare steady state.
  await warmupPush(reg.base);

  // Dirty pages left by earlier work (the previous contender, the pushes before a pull) are flushed
  // before each timed phase, so that no phase pays for another's writeback.
  const settle = () => execFileSync('sync');
  const seconds = async (work: () => Promise<unknown>) => { const t0 = performance.now(); await work(); return round((performance.now() - t0) / 1000, 3); };
  settle();
  f.cpuSeconds.push = (await cpuDuring(reg, async () => {
    for (let run = 0; run < RUNS; run++) {
      if (run === 0) {
        const { result, calls } = await callsDuring(reg, () => seconds(() => push(reg.base, `bench/img${run}`, image)));
        f.pushSeconds.push(result);
        f.backendCalls['API push'] = calls;
      } else {
        f.pushSeconds.push(await seconds(() => push(reg.base, `bench/img${run}`, image)));
      }
    }
  })).cpu;
  if (pid && canReset) f.peakRssDuringPushMB = round((status(pid, 'VmHWM') ?? 0) / MB);
  settle();
  f.cpuSeconds.pull = (await cpuDuring(reg, async () => {
    for (let run = 0; run < RUNS; run++) {
      // Timed inside callsDuring, which waits before and after the work for log lines to land.
      let p!: Awaited<ReturnType<typeof pull>>;
      const { calls } = await callsDuring(reg, () => seconds(async () => { p = await pull(reg.base, `bench/img${run}`, image); }).then((s) => f.pullSeconds.push(s)));
      if (run === 0) {
        f.pullBytesViaRegistry = p.viaRegistry; f.pullBytesViaRedirect = p.viaRedirect; f.pullRedirects = p.redirected;
        f.backendCalls['API pull'] = calls;
      }
    }
  })).cpu;
  log('push/pull');

  const url = `${reg.base}/v2/bench/img0/manifests/latest`;
  // Warm-up, not recorded: JIT (Node, and DynamoDB Local's JVM), caches and connection pools. Without it
  // whichever load runs first (HEAD at c=1) pays the warm-up.
  for (const method of ['HEAD', 'GET']) await load(url, { method, headers: { accept: OCI_MANIFEST }, connections: 8, seconds: WARMUP_SECONDS });
  const { calls: manifestCalls } = await callsDuring(reg, async () => {
    for (const method of ['HEAD', 'GET']) {
      for (const c of CONCURRENCY) {
        const key = `${method} c=${c}`;
        f.manifest[key] = [];
        const { cpu } = await cpuDuring(reg, async () => {
          for (let run = 0; run < RUNS; run++) {
            f.manifest[key]!.push(await load(url, { method, headers: { accept: OCI_MANIFEST }, connections: c, seconds: LOAD_SECONDS }));
          }
        });
        f.cpuSeconds[key] = cpu;
        const requests = f.manifest[key]!.reduce((a, r) => a + r.rps * LOAD_SECONDS, 0);
        f.cpuMsPerRequest[key] = Object.fromEntries(Object.entries(cpu).map(([role, sec]) => [role, round((sec * 1000) / requests, 3)]));
      }
    }
  });
  f.backendCalls['manifest load'] = manifestCalls;
  log('manifests');

  f.listings = await measureListings(reg.base, 'bench/tags', TAGS, LISTINGS);
  log('listings');

  const host = new URL(reg.base).host;
  const scratch = mkdtempSync(join(tmpdir(), 'stratus-bench-skopeo-'));
  try {
    for (let run = 0; run < RUNS; run++) {
      const r = await skopeoPushPull(layout, host, `bench/skopeo${run}`, scratch);
      f.skopeoPushSeconds.push(round(r.push, 3)); f.skopeoPullSeconds.push(round(r.pull, 3));
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  log('skopeo');
  if (engine) {
    for (let run = 0; run < RUNS; run++) {
      // Backend calls of the first docker push and pull, each counted on its own.
      const around = run > 0 ? undefined : async (phase: 'push' | 'pull', work: () => Promise<void>) => {
        f.backendCalls[`docker ${phase}`] = (await callsDuring(reg, work)).calls;
      };
      const r = await dockerPushPull(engine, host, `bench/docker${run}`, around);
      f.dockerPushSeconds.push(round(r.push, 3)); f.dockerPullSeconds.push(round(r.pull, 3));
    }
    log('docker');
  }

  settle();
  if (pid) resetPeak(pid);
  f.bigPushSeconds = await seconds(() => push(reg.base, 'bench/big', big));
  if (pid && canReset) f.peakRssDuringBigPushMB = round((status(pid, 'VmHWM') ?? 0) / MB);
  log(`${BIG_LAYER_MB} MB push`);
  return f;
}
