/** The bench's table on stdout: each figure per contender (median and min–max of the runs), ratios and targets. */
import type { Figures } from './measure';
import type { Floors } from './floors';
import { median, round } from './stats';

export type Contender = 'stratus' | 'stratus-lambda' | 'distribution-s3' | 'distribution-fs';
export const CONTENDERS: Contender[] = ['stratus', 'stratus-lambda', 'distribution-s3', 'distribution-fs'];
export type Results = Partial<Record<Contender, Figures>>;
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
    { label: 'tags list, complete (ms)', get: (f) => f.listings?.tagsListMs },
    { label: 'catalog, complete (ms)', get: (f) => f.listings?.catalogMs },
    { label: 'set up the tags (s)', get: (f) => f.listings?.setupSeconds },
    { label: 'big layer push (s)', get: (f) => f.bigPushSeconds },
    { label: 'peak RSS, big layer push (MB)', get: (f) => f.peakRssDuringBigPushMB },
    { label: 'peak RSS, image push (MB)', get: (f) => f.peakRssDuringPushMB },
    { label: 'RSS after start (MB)', get: (f) => f.rssAfterStartMB },
    { label: 'pull blob bytes via registry (MB)', get: (f) => round(f.pullBytesViaRegistry / 2 ** 20, 2) },
    { label: 'S3 requests per API push', get: (f) => calls(f, 'API push', 's3') },
    { label: 'S3 requests per API pull', get: (f) => calls(f, 'API pull', 's3') },
    { label: 'S3 requests per docker push', get: (f) => calls(f, 'docker push', 's3') },
    { label: 'S3 requests per docker pull', get: (f) => calls(f, 'docker pull', 's3') },
    { label: 'DynamoDB requests per API push', get: (f) => calls(f, 'API push', 'dynamodb') },
    { label: 'DynamoDB requests per API pull', get: (f) => calls(f, 'API pull', 'dynamodb') },
    { label: 'DynamoDB requests per docker push', get: (f) => calls(f, 'docker push', 'dynamodb') },
    { label: 'DynamoDB requests per docker pull', get: (f) => calls(f, 'docker pull', 'dynamodb') },
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
