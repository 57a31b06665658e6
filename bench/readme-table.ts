/**
 * `npx tsx bench/readme-table.ts bench/results/<file>.json`: the README's Performance table (markdown) from
 * one bench run: each figure for Stratus and distribution, the ratio, and each target with "holds" or
 * "misses"; then issue 17's targets and the cost per operation. Prints to stdout; nothing else is written.
 */
import { readFileSync } from 'node:fs';
import type { CostLine, Figures, Results, Target } from './report';
import { breakdown, usd } from './cost';
import { median, round } from './stats';

interface ResultsFile {
  mode: string; date: string; elapsedSeconds: number;
  machine: { cpus: number; cpuModel?: string; memoryMB: number };
  versions: Record<string, string>;
  work: { layersMB: number[]; bigLayerMB: number; tags: number; runs: number };
  floors?: { sha256MBps: number[]; image: { putSeconds: number[]; multipartSeconds: number[]; getSeconds: number[]; partSizeMB: number } };
  results: Results; targets: Target[]; scaleTargets?: Target[]; costs?: CostLine[];
  /** `npm start` as shipped, from bench/memory.ts. */
  memory?: { entry: string; rssAtReadyMB: number; rssIdleSettledMB: number; settleSeconds: number; steps: Record<string, { seconds: number; peakRssMB: number }> };
}

type Value = number | number[] | undefined;
const mid = (v: Value) => (v === undefined ? undefined : Array.isArray(v) ? (v.length ? median(v) : undefined) : v);
/** A number as the README writes it: thousands separated, two decimals under 100. */
export const num = (x: number) => (Math.abs(x) >= 100 ? Math.round(x).toLocaleString('en') : String(round(x, 2)));
const show = (v: Value) => { const m = mid(v); return m === undefined ? '' : num(m); };

/** A row: a figure of Stratus and of distribution (S3 or filesystem), and the target it answers to. */
interface Row { label: string; get: (f: Figures) => Value; vs?: 'distribution-s3' | 'distribution-fs'; target?: string }

const ROWS = (r: Results, bigLayerMB: number): Row[] => {
  const any = r.stratus ?? Object.values(r)[0];
  const op = (f: Figures, name: string, field: 'dynamodb' | 'dynamodbReads' | 's3') => {
    const o = f.operations?.calls[name];
    const v = o?.calls?.[field];
    return v === undefined || !o ? undefined : round(v / o.times, 2);
  };
  return [
    { label: 'push, registry API (s)', get: (f) => f.pushSeconds, target: 'push time <= 0.8x distribution-s3 (API)' },
    { label: 'push, skopeo (s)', get: (f) => f.skopeoPushSeconds, target: 'push time <= 0.8x distribution-s3 (skopeo)' },
    { label: 'push, Docker engine (s)', get: (f) => f.dockerPushSeconds, target: 'push time <= 0.8x distribution-s3 (docker)' },
    { label: 'pull, registry API (s)', get: (f) => f.pullSeconds, target: 'pull time <= 1.0x distribution-s3 (API)' },
    { label: 'pull, skopeo (s)', get: (f) => f.skopeoPullSeconds, target: 'pull time <= 1.0x distribution-s3 (skopeo)' },
    { label: 'pull, Docker engine (s)', get: (f) => f.dockerPullSeconds, target: 'pull time <= 1.0x distribution-s3 (docker)' },
    ...Object.keys(any?.manifest ?? {}).map((k) => ({ label: `manifest ${k} (req/s)`, get: (f: Figures) => f.manifest[k]?.map((x) => x.rps), target: `manifest ${k} rps >= 2x distribution-s3` })),
    { label: `${num(bigLayerMB)} MB layer push (s)`, get: (f) => f.bigPushSeconds },
    { label: `registry peak RSS during the ${num(bigLayerMB)} MB push (MB)`, get: (f) => f.peakRssDuringBigPushMB, target: 'stratus peak RSS <= 120 MB during the' },
    { label: `registry peak RSS during ${any?.parallel?.layers ?? 4} parallel ${any?.parallel?.layerMB ?? 200} MB pushes (MB)`, get: (f) => f.parallel?.peakRssMB, target: 'stratus peak RSS <= 120 MB during 4' },
    { label: 'registry RSS after start (MB)', get: (f) => f.rssAfterStartMB, target: 'stratus RSS after start <= 70 MB' },
    { label: 'blob bytes through the registry on pull', get: (f) => f.pullBytesViaRegistry, target: '0 blob bytes through Stratus on pull' },
    { label: `tags list of ${num(any?.listings?.tags ?? 0)} tags, complete (ms)`, get: (f) => f.listings?.tagsListMs, target: `complete tags list of ${(any?.listings?.tags ?? 0).toLocaleString('en')} tags` },
    { label: `tags list of ${num(any?.pagedTagsList?.tags ?? 0)} tags in pages of ${any?.pagedTagsList?.pageSize ?? '-'}, complete (ms)`, get: (f) => f.pagedTagsList?.ms, vs: 'distribution-fs', target: `complete tags list of ${(any?.pagedTagsList?.tags ?? 0).toLocaleString('en')} tags` },
    { label: 'catalog, complete (ms)', get: (f) => f.listings?.catalogMs },
    { label: 'manifest PUTs/s creating a repository, one connection', get: (f) => f.operations?.manifestPutsPerSecond['create repository'], vs: 'distribution-fs', target: 'manifest PUTs/s (create repository)' },
    { label: 'manifest PUTs/s of new tags, one connection', get: (f) => f.operations?.manifestPutsPerSecond['new tag'], vs: 'distribution-fs', target: 'manifest PUTs/s (new tag)' },
    { label: 'DynamoDB requests per blob PUT (POST + PUT)', get: (f) => op(f, 'blob PUT (POST + PUT)', 'dynamodb'), target: 'blob PUT (POST + PUT) in <= 2' },
    { label: 'DynamoDB requests per blob PUT (single POST)', get: (f) => op(f, 'blob PUT (single POST)', 'dynamodb'), target: 'blob PUT (single POST) in <= 2' },
    { label: 'DynamoDB requests per manifest PUT', get: (f) => op(f, 'manifest PUT (new tag)', 'dynamodb'), target: 'manifest PUT in 1 read' },
    { label: 'DynamoDB reads per manifest or blob GET/HEAD (most)', get: (f) => Math.max(...['API pull', 'manifest load', 'docker pull'].map((o) => f.backendCalls[o]?.maxReadsPerManifestOrBlobRequest ?? 0)), target: '<= 1 DynamoDB read per manifest or blob request' },
    { label: 'S3 requests per `docker push`', get: (f) => f.backendCalls['docker push']?.s3 },
    { label: 'S3 requests per `docker pull`', get: (f) => f.backendCalls['docker pull']?.s3 },
    { label: 'DynamoDB requests per `docker push`', get: (f) => f.backendCalls['docker push']?.dynamodb, target: 'docker push of the bench image in <= 25' },
    { label: 'DynamoDB requests per `docker pull`', get: (f) => f.backendCalls['docker pull']?.dynamodb },
    { label: 'DynamoDB read units per `docker pull` (API pull)', get: (f) => f.backendCalls['docker pull']?.readUnits ?? f.backendCalls['API pull']?.readUnits },
  ];
};

function verdict(targets: Target[], key: string | undefined): string {
  if (!key) return '';
  const t = targets.find((x) => x.target.startsWith(key));
  if (!t) return '';
  const word = t.holds === null ? 'not measured' : t.holds ? 'holds' : 'misses';
  return `${t.target.replace(/^stratus /, '')}: ${word}`;
}

/** The markdown of a results file. */
export function readmeTable(file: ResultsFile): string {
  const r = file.results;
  const s = r.stratus;
  const targets = [...file.targets, ...(file.scaleTargets ?? [])];
  const out: string[] = [];
  const layers = file.work.layersMB.join('/');
  out.push(`${file.mode === 'full' ? 'Full' : 'Quick'} run of ${file.date.slice(0, 10)} on ${file.machine.cpus} cores (${file.machine.cpuModel ?? 'unknown CPU'}), `
    + `a ${layers} MB image, a ${num(file.work.bigLayerMB)} MB layer, median of ${file.work.runs} run(s); registries, backends and clients share the cores.`, '');
  out.push('| figure | Stratus | distribution on S3 | distribution on the filesystem | ratio | target |', '|---|---|---|---|---|---|');
  for (const row of ROWS(r, file.work.bigLayerMB)) {
    const sv = s ? mid(row.get(s)) : undefined;
    if (sv === undefined && !row.target) continue;
    const d3 = r['distribution-s3'] && mid(row.get(r['distribution-s3']));
    const dfs = r['distribution-fs'] && mid(row.get(r['distribution-fs']));
    const vs = row.vs === 'distribution-fs' ? dfs : d3;
    const ratio = sv !== undefined && vs ? `${round(sv / vs, 2)}× (vs ${row.vs === 'distribution-fs' ? 'filesystem' : 'S3'})` : '';
    const lambda = row.label.includes('RSS') && r['stratus-lambda'] ? mid(row.get(r['stratus-lambda'])) : undefined;
    out.push(`| ${row.label} | ${sv === undefined ? '' : num(sv)}${lambda !== undefined ? ` (Lambda topology: ${num(lambda)})` : ''} | ${show(d3)} | ${show(dfs)} | ${ratio} | ${verdict(targets, row.target)} |`);
  }
  if (file.memory) {
    const m = file.memory;
    const verdictOf = (key: string) => verdict(targets, key);
    out.push(`| \`npm start\` registry RSS at ready / idle after ${m.settleSeconds} s (MB) | ${num(m.rssAtReadyMB)} / ${num(m.rssIdleSettledMB)} | | | | ${verdictOf('npm start: idle RSS')} |`);
    for (const [step, v] of Object.entries(m.steps)) {
      out.push(`| \`npm start\` registry peak RSS during ${step} pushes (MB) | ${num(v.peakRssMB)} | | | | ${verdictOf(`npm start: peak RSS <= 120 MB during ${step}`)} |`);
    }
  }
  if (file.floors) {
    const f = file.floors;
    out.push('', `Floors in the same run: sha256 ${num(median(f.sha256MBps))} MB/s; the local S3 server takes the image's layers in `
      + `${median(f.image.putSeconds)} s (PutObject), ${median(f.image.multipartSeconds)} s (${f.image.partSizeMB} MiB multipart) and serves them in ${median(f.image.getSeconds)} s (GetObject).`);
  }
  const held = (file.scaleTargets ?? []);
  if (held.length) {
    out.push('', 'Issue 17\'s targets:', '');
    for (const t of held) out.push(`- ${t.holds === null ? 'not measured' : t.holds ? 'holds' : 'misses'}: ${t.target} (${t.detail})`);
  }
  if (file.costs?.length) {
    out.push('', 'AWS cost (us-east-1 on-demand; Lambda arm64 at 1,024 MB for the registry time measured here; data transfer, storage, the upload service and logs not counted):', '',
      '| operation | each | per million | per million, by service |', '|---|---|---|---|');
    for (const c of file.costs) out.push(`| ${c.operation} | ${usd(c.perOperation.total)} | ${usd(c.perMillion.total)} | ${breakdown(c.perMillion)} |`);
  }
  return out.join('\n');
}

if (require.main === module) {
  const path = process.argv[2];
  if (!path) {
    process.stderr.write('usage: npx tsx bench/readme-table.ts bench/results/<file>.json\n');
    process.exit(2);
  }
  process.stdout.write(`${readmeTable(JSON.parse(readFileSync(path, 'utf8')) as ResultsFile)}\n`);
}
