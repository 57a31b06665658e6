/** The bench's table on stdout: each figure per contender (median and min–max of the runs), ratios and targets. */
import type { Figures as MeasuredFigures } from './measure';
import type { Floors } from './floors';
import type { ScaleFigures } from './scale-figures';
import type { BackendCalls } from './backend-calls';
import type { MemoryFigures } from './memory';
import { breakdown, Cost, costOf, LAMBDA, scaled, Usage, usd } from './cost';
import { median, round } from './stats';

export type Contender = 'stratus' | 'stratus-lambda' | 'distribution-s3' | 'distribution-fs';
export const CONTENDERS: Contender[] = ['stratus', 'stratus-lambda', 'distribution-s3', 'distribution-fs'];
/** One contender's figures: bench/measure.ts's and bench/scale-figures.ts's. */
export type Figures = MeasuredFigures & ScaleFigures;
export type Results = Partial<Record<Contender, Figures>>;

/** Backend calls of one of the counted single operations, per operation. */
function perOperation(f: Figures | undefined, op: string, field: keyof BackendCalls): number | undefined {
  const o = f?.operations?.calls[op];
  const v = o?.calls?.[field];
  return typeof v === 'number' && o ? round(v / o.times, 2) : undefined;
}
export interface Target { target: string; holds: boolean | null; detail: string }

type Value = number | number[] | undefined;
interface Row { label: string; get: (f: Figures) => Value }

const mid = (v: Value) => (v === undefined ? undefined : Array.isArray(v) ? (v.length ? median(v) : undefined) : v);
const fmt = (x: number) => String(x >= 100 ? Math.round(x) : round(x, 2));
const cell = (v: Value) => {
  const m = mid(v);
  if (m === undefined) return '-';
  if (!Array.isArray(v) || v.length < 2) return fmt(m);
  return `${fmt(m)} (${fmt(Math.min(...v))}–${fmt(Math.max(...v))})`;
};

function rows(results: Results): Row[] {
  const any = Object.values(results)[0];
  const calls = (f: Figures, op: string, field: 's3' | 'dynamodb') => f.backendCalls[op]?.[field];
  return [
    { label: 'push image, API (s)', get: (f) => f.pushSeconds },
    { label: 'pull image, API (s)', get: (f) => f.pullSeconds },
    { label: 'push image, skopeo (s)', get: (f) => f.skopeoPushSeconds },
    { label: 'pull image, skopeo (s)', get: (f) => f.skopeoPullSeconds },
    { label: 'docker push (s)', get: (f) => f.dockerPushSeconds },
    { label: 'docker pull (s)', get: (f) => f.dockerPullSeconds },
    ...Object.keys(any?.manifest ?? {}).map((k) => ({ label: `manifest ${k} (rps)`, get: (f: Figures) => f.manifest[k]?.map((r) => r.rps) })),
    ...Object.keys(any?.manifest ?? {}).map((k) => ({ label: `manifest ${k} p99 (ms)`, get: (f: Figures) => f.manifest[k]?.map((r) => r.p99) })),
    { label: `tags list of ${any?.listings?.tags ?? '-'} tags, complete (ms)`, get: (f) => f.listings?.tagsListMs },
    { label: `tags list of ${any?.pagedTagsList?.tags ?? '-'} tags, n=${any?.pagedTagsList?.pageSize ?? '-'} pages, complete (ms)`, get: (f) => f.pagedTagsList?.ms },
    { label: 'catalog, complete (ms)', get: (f) => f.listings?.catalogMs },
    { label: 'set up the tags (s)', get: (f) => f.listings?.setupSeconds },
    { label: 'manifest PUTs/s creating a repository, 1 connection', get: (f) => f.operations?.manifestPutsPerSecond['create repository'] },
    { label: 'manifest PUTs/s of new tags, 1 connection', get: (f) => f.operations?.manifestPutsPerSecond['new tag'] },
    { label: 'big layer push (s)', get: (f) => f.bigPushSeconds },
    { label: 'peak RSS, big layer push (MB)', get: (f) => f.peakRssDuringBigPushMB },
    { label: 'peak RSS, image push (MB)', get: (f) => f.peakRssDuringPushMB },
    { label: `peak RSS, ${any?.parallel?.layers ?? '-'} parallel ${any?.parallel?.layerMB ?? '-'} MB pushes (MB)`, get: (f) => f.parallel?.peakRssMB },
    { label: 'RSS after start (MB)', get: (f) => f.rssAfterStartMB },
    { label: 'RSS at rest after the work (MB)', get: (f) => f.parallel?.idleRssMB },
    { label: 'pull blob bytes via registry (MB)', get: (f) => round(f.pullBytesViaRegistry / 2 ** 20, 2) },
    { label: 'S3 requests per API push', get: (f) => calls(f, 'API push', 's3') },
    { label: 'S3 requests per API pull', get: (f) => calls(f, 'API pull', 's3') },
    { label: 'S3 requests per docker push', get: (f) => calls(f, 'docker push', 's3') },
    { label: 'S3 requests per docker pull', get: (f) => calls(f, 'docker pull', 's3') },
    { label: 'DynamoDB requests per API push', get: (f) => calls(f, 'API push', 'dynamodb') },
    { label: 'DynamoDB requests per API pull', get: (f) => calls(f, 'API pull', 'dynamodb') },
    { label: 'DynamoDB requests per docker push', get: (f) => calls(f, 'docker push', 'dynamodb') },
    { label: 'DynamoDB requests per docker pull', get: (f) => calls(f, 'docker pull', 'dynamodb') },
    { label: 'DynamoDB requests per blob PUT (POST + PUT)', get: (f) => perOperation(f, 'blob PUT (POST + PUT)', 'dynamodb') },
    { label: 'DynamoDB requests per blob PUT (single POST)', get: (f) => perOperation(f, 'blob PUT (single POST)', 'dynamodb') },
    { label: 'DynamoDB requests per manifest PUT', get: (f) => perOperation(f, 'manifest PUT (new tag)', 'dynamodb') },
    { label: 'DynamoDB reads per manifest PUT', get: (f) => perOperation(f, 'manifest PUT (new tag)', 'dynamodbReads') },
    { label: 'DynamoDB read units per API pull', get: (f) => f.backendCalls['API pull']?.readUnits },
    { label: 'DynamoDB read units per docker pull', get: (f) => f.backendCalls['docker pull']?.readUnits },
    { label: 'DynamoDB write units per docker push', get: (f) => f.backendCalls['docker push']?.writeUnits },
    { label: 'start (s)', get: (f) => f.startSeconds },
  ];
}

/** The table's text: one row per figure, one column per contender, then ratios of medians. */
export function table(results: Results): string {
  const cols = CONTENDERS.filter((c) => results[c]);
  const ratios: Array<[string, Contender, Contender]> = [
    ['S/dist-s3', 'stratus', 'distribution-s3'], ['S/dist-fs', 'stratus', 'distribution-fs'], ['SL/dist-s3', 'stratus-lambda', 'distribution-s3'],
  ];
  const header = ['figure', ...cols, ...ratios.map(([name]) => name)];
  const lines: string[][] = [header];
  for (const r of rows(results)) {
    const values = cols.map((c) => r.get(results[c]!));
    if (values.every((v) => mid(v) === undefined)) continue;
    const ratio = ([, a, b]: [string, Contender, Contender]) => {
      const x = results[a] && mid(r.get(results[a]!));
      const y = results[b] && mid(r.get(results[b]!));
      return x !== undefined && y ? `${round(x / y, 2)}x` : '-';
    };
    lines.push([r.label, ...values.map(cell), ...ratios.map(ratio)]);
  }
  const widths = header.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  return lines.map((l, j) => {
    const line = l.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
    return j === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
  }).join('\n');
}

/** Issue 5's targets, for Stratus's Node host (and the Lambda topology where it applies). */
export function targets(results: Results, bigLayerMB: number): Target[] {
  const s = results.stratus;
  const d = results['distribution-s3'];
  const out: Target[] = [];
  const check = (target: string, sv: Value, dv: Value, ok: (ratio: number) => boolean) => {
    const a = mid(sv);
    const b = mid(dv);
    if (a === undefined || b === undefined) return out.push({ target, holds: null, detail: 'not measured' });
    const ratio = round(a / b, 2);
    out.push({ target, holds: ok(ratio), detail: `${ratio}x (Stratus ${round(a, 3)} vs ${round(b, 3)})` });
  };
  check('push time <= 0.8x distribution-s3 (API)', s?.pushSeconds, d?.pushSeconds, (x) => x <= 0.8);
  check('push time <= 0.8x distribution-s3 (skopeo)', s?.skopeoPushSeconds, d?.skopeoPushSeconds, (x) => x <= 0.8);
  check('push time <= 0.8x distribution-s3 (docker)', s?.dockerPushSeconds, d?.dockerPushSeconds, (x) => x <= 0.8);
  check('pull time <= 1.0x distribution-s3 (API)', s?.pullSeconds, d?.pullSeconds, (x) => x <= 1.0);
  check('pull time <= 1.0x distribution-s3 (skopeo)', s?.skopeoPullSeconds, d?.skopeoPullSeconds, (x) => x <= 1.0);
  check('pull time <= 1.0x distribution-s3 (docker)', s?.dockerPullSeconds, d?.dockerPullSeconds, (x) => x <= 1.0);
  for (const k of Object.keys(s?.manifest ?? {})) {
    check(`manifest ${k} rps >= 2x distribution-s3`, s?.manifest[k]?.map((r) => r.rps), d?.manifest[k]?.map((r) => r.rps), (x) => x >= 2);
  }
  for (const name of ['stratus', 'stratus-lambda'] as const) {
    const rss = results[name]?.peakRssDuringBigPushMB;
    out.push({
      target: `${name} registry RSS <= 200 MB during the ${bigLayerMB} MB push`, holds: rss === undefined ? null : rss <= 200,
      detail: rss === undefined ? 'not measured' : `${rss} MB`,
    });
  }
  if (s) out.push({ target: '0 blob bytes through Stratus on pull', holds: s.pullBytesViaRegistry === 0, detail: `${s.pullBytesViaRegistry} bytes, ${s.pullRedirects} redirects` });
  const reads = s && ['API pull', 'manifest load', 'docker pull'].map((op) => s.backendCalls[op]?.maxReadsPerManifestOrBlobRequest).filter((x): x is number => x !== undefined);
  out.push(reads?.length
    ? { target: '<= 1 DynamoDB read per manifest or blob request', holds: Math.max(...reads) <= 1, detail: `at most ${Math.max(...reads)} per GET/HEAD of a manifest or blob (Stratus's request log)` }
    : { target: '<= 1 DynamoDB read per manifest or blob request', holds: null, detail: 'not measured' });
  return out;
}

/** How close each registry's API push and pull come to the floors (MB/s of the same bytes). */
export function floorLines(results: Results, floors: Floors | undefined, imageMB: number): string[] {
  if (!floors) return [];
  const mbps = (s: number[]) => round(imageMB / median(s), 1);
  const lines = [
    `sha256 (node:crypto, one core): ${median(floors.sha256MBps)} MB/s (${Math.min(...floors.sha256MBps)}–${Math.max(...floors.sha256MBps)}); the image's ${imageMB} MB take ${round(imageMB / median(floors.sha256MBps), 2)} s`,
    `local S3 server, the image's layers in parallel: PutObject ${median(floors.image.putSeconds)} s (${mbps(floors.image.putSeconds)} MB/s), multipart in ${floors.image.partSizeMB} MB parts ${median(floors.image.multipartSeconds)} s (${mbps(floors.image.multipartSeconds)} MB/s), GetObject ${median(floors.image.getSeconds)} s (${mbps(floors.image.getSeconds)} MB/s)`,
    `local S3 server, the big layer: PutObject ${floors.big.putSeconds[0]} s, multipart ${floors.big.multipartSeconds[0]} s, GetObject ${floors.big.getSeconds[0]} s`,
  ];
  for (const [name, f] of Object.entries(results)) {
    lines.push(`${name}: API push ${mbps(f.pushSeconds)} MB/s (${round(median(floors.image.multipartSeconds) / median(f.pushSeconds), 2)}x the multipart floor's speed), pull ${mbps(f.pullSeconds)} MB/s (${round(median(floors.image.getSeconds) / median(f.pullSeconds), 2)}x GetObject's)`);
  }
  return lines;
}

/** Issue 17's targets for Stratus's Node host: floors, backend calls, listings, write rates, memory. */
export function scaleTargets(results: Results, floors: Floors | undefined, bigLayerMB: number, memory?: MemoryFigures): Target[] {
  const s = results.stratus;
  const out: Target[] = [];
  const unmeasured = (target: string) => out.push({ target, holds: null, detail: 'not measured' });
  const atMost = (target: string, v: number | undefined, limit: number, unit: string, more = '') => (v === undefined
    ? unmeasured(target) : out.push({ target, holds: v <= limit, detail: `${v}${unit}${more}` }));
  const floorRatio = (target: string, times: number[] | undefined, floor: number[] | undefined, limit: number) => {
    if (!times?.length || !floor?.length) return unmeasured(target);
    const ratio = round(median(times) / median(floor), 2);
    return out.push({ target, holds: ratio <= limit, detail: `${ratio}x (${median(times)} s vs the floor's ${median(floor)} s)` });
  };
  floorRatio('API push <= 1.15x the local S3 server\'s multipart floor', s?.pushSeconds, floors?.image.multipartSeconds, 1.15);
  floorRatio('API pull <= 1.1x the local S3 server\'s GetObject floor', s?.pullSeconds, floors?.image.getSeconds, 1.1);
  atMost('blob PUT (POST + PUT) in <= 2 DynamoDB requests', perOperation(s, 'blob PUT (POST + PUT)', 'dynamodb'), 2, '');
  atMost('blob PUT (single POST) in <= 2 DynamoDB requests', perOperation(s, 'blob PUT (single POST)', 'dynamodb'), 2, '');
  const reads = perOperation(s, 'manifest PUT (new tag)', 'dynamodbReads');
  const all = perOperation(s, 'manifest PUT (new tag)', 'dynamodb');
  if (reads === undefined || all === undefined) unmeasured('manifest PUT in 1 read + 1 transaction');
  else out.push({ target: 'manifest PUT in 1 read + 1 transaction', holds: reads <= 1 && all - reads <= 1, detail: `${reads} read(s), ${round(all - reads, 2)} write request(s)` });
  atMost('docker push of the bench image in <= 25 DynamoDB requests', s?.backendCalls['docker push']?.dynamodb, 25, '');
  const listing = (tags: number, limit: number) => {
    const ms = s?.listings?.tags === tags ? s.listings.tagsListMs : s?.pagedTagsList?.tags === tags ? s.pagedTagsList.ms : undefined;
    atMost(`complete tags list of ${tags.toLocaleString('en')} tags <= ${limit} ms`, ms?.length ? median(ms) : undefined, limit, ' ms');
  };
  listing(1000, 5);
  listing(10000, 30);
  for (const kind of ['create repository', 'new tag']) {
    const a = s?.operations?.manifestPutsPerSecond[kind];
    const b = results['distribution-fs']?.operations?.manifestPutsPerSecond[kind];
    if (a === undefined || b === undefined) unmeasured(`manifest PUTs/s (${kind}) >= distribution-fs`);
    else out.push({ target: `manifest PUTs/s (${kind}) >= distribution-fs`, holds: a >= b, detail: `${a}/s vs ${b}/s (${round(a / b, 2)}x)` });
  }
  // With `npm start`'s own figures (below), the tsx-run contender's are not the ones the targets mean.
  for (const name of memory ? ['stratus-lambda'] as const : ['stratus', 'stratus-lambda'] as const) {
    const f = results[name];
    atMost(`${name} peak RSS <= 120 MB during the ${bigLayerMB} MB push`, f?.peakRssDuringBigPushMB, 120, ' MB');
    atMost(`${name} peak RSS <= 120 MB during ${f?.parallel?.layers ?? 4} parallel ${f?.parallel?.layerMB ?? 200} MB pushes`, f?.parallel?.peakRssMB, 120, ' MB');
  }
  if (!memory) atMost('stratus RSS after start <= 70 MB', s?.rssAfterStartMB, 70, ' MB', ' (the bench\'s Stratus runs local/start.ts through tsx)');
  // `npm start` as shipped (the prebuilt bundle), measured by bench/memory.ts.
  if (memory) {
    atMost('npm start: idle RSS <= 70 MB', memory.rssIdleSettledMB, 70, ' MB', ` after ${memory.settleSeconds} s (${memory.rssAtReadyMB} MB at ready)`);
    for (const [step, v] of Object.entries(memory.steps)) {
      atMost(`npm start: peak RSS <= 120 MB during ${step} pushes`, v.peakRssMB, 120, ' MB', ` (${v.seconds} s)`);
    }
  } else unmeasured('npm start: idle RSS <= 70 MB');
  return out;
}

/** An operation whose cost is computed: its name, the calls of `times` of it, and what it stands for. */
interface Costed { operation: string; usage: Usage; calls: BackendCalls }

function usageOf(c: BackendCalls, times: number): Usage | undefined {
  if (!c.s3ByCommand || c.readUnits === undefined || c.writeUnits === undefined) return undefined;
  return {
    apiRequests: (c.apiRequests ?? 0) / times, lambdaBilledMs: (c.lambdaBilledMs ?? 0) / times,
    s3ByCommand: Object.fromEntries(Object.entries(c.s3ByCommand).map(([k, n]) => [k, n / times])),
    clientS3Gets: (c.redirects ?? 0) / times, readUnits: c.readUnits / times, writeUnits: c.writeUnits / times,
  };
}

/** The costed operations of Stratus's Node host (the only contender whose calls are probed at the SDK). */
export function costedOperations(f: Figures | undefined): Costed[] {
  if (!f) return [];
  const out: Costed[] = [];
  const add = (operation: string, c: BackendCalls | undefined, times: number) => {
    const usage = c && usageOf(c, times);
    if (usage && c) out.push({ operation, usage, calls: c });
  };
  for (const [op, o] of Object.entries(f.operations?.calls ?? {})) add(op, o.calls, o.times);
  // The bench image: the Docker engine's push and pull when it ran, else the API's.
  for (const op of ['docker push', 'docker pull', 'API push', 'API pull']) {
    if (op.startsWith('API') && f.backendCalls[`docker ${op.slice(4)}`]) continue;
    add(`${op} of the bench image`, f.backendCalls[op], 1);
  }
  return out;
}

/** Cost per operation and per million, as printed and kept in the results JSON. */
export interface CostLine { operation: string; perOperation: Cost; perMillion: Cost; usage: Usage }

export function costs(results: Results): CostLine[] {
  return costedOperations(results.stratus).map(({ operation, usage }) => {
    const one = costOf(usage);
    return { operation, perOperation: one, perMillion: scaled(one, 1e6), usage };
  });
}

/** The cost section's lines. */
export function costLines(lines: CostLine[]): string[] {
  if (!lines.length) return ['(not measured: Stratus\'s Node host did not run, or its SDK probe wrote nothing)'];
  return [
    `us-east-1 on-demand prices (bench/cost.ts); Lambda ${LAMBDA.architecture} at ${LAMBDA.memoryMB} MB, billed for the registry time measured here per request;`,
    'data transfer, storage, the upload service (Fargate, per task-hour) and logs not counted.',
    ...lines.map((l) => `${l.operation}: ${usd(l.perOperation.total)} each, ${usd(l.perMillion.total)} per million [${breakdown(l.perMillion)}]`
      + ` (per operation: ${round(l.usage.apiRequests, 2)} API requests, ${round(l.usage.lambdaBilledMs, 1)} Lambda ms, ${round(l.usage.readUnits, 2)} RRU, ${round(l.usage.writeUnits, 2)} WRU, `
      + `S3 ${Object.entries(l.usage.s3ByCommand).map(([k, n]) => `${k} ${round(n, 2)}`).join(' ') || 'none'}, client S3 GETs ${round(l.usage.clientS3Gets, 2)})`),
  ];
}
