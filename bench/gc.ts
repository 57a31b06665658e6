/**
 * `npm run bench:gc [-- --quick]`: what one garbage collection run costs and what it does to traffic.
 * Starts `npm start` fresh, pushes IMAGES small images (a config and a 1 KiB layer each: 2 blobs per image)
 * over the registry API, untags every other one (half the blobs become garbage), measures pushes/s and pulls/s
 * of a steady load, then runs the collector (grace 0) against the registry's S3 and DynamoDB while the same
 * load goes on. Prints the run's time, its S3 and DynamoDB requests by operation, and the load's rates
 * before, during and after the run; writes every figure to bench/results/gc-<timestamp>.json.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDbGcStore } from '../lambda/adapters/dynamodb/dynamodb-gc-store';
import { createDocumentClient } from '../lambda/adapters/dynamodb/table';
import { createS3Client } from '../lambda/adapters/s3/s3-client';
import { S3BlobStore } from '../lambda/adapters/s3/s3-blob-store';
import { collectGarbage } from '../lambda/core/gc';
import { observeCalls } from '../lambda/hosts/backend-calls';
import { silentLogger } from '../lambda/shared/logger';
import { cleanups, startStratus } from './contenders';
import { OCI_CONFIG, OCI_LAYER, OCI_MANIFEST, QUICK, ROOT } from './settings';
import { round } from './stats';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const IMAGES = QUICK ? 500 : 5000;
const REPOSITORIES = 50;
/** Requests in flight while populating, and clients of the steady load. */
const POPULATE_CONCURRENCY = 16;
const LOAD_CLIENTS = 8;
const BASELINE_SECONDS = QUICK ? 5 : 10;

const say = (s: string) => process.stdout.write(s);
const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** A pushed image: where it is and its layer (what a pull fetches). */
interface Image { repo: string; tag: string; layer: string }

async function pushBlob(base: string, repo: string, blob: Buffer): Promise<string> {
  const digest = sha256(blob);
  const res = await fetch(`${base}/v2/${repo}/blobs/uploads/?digest=${digest}`, { method: 'POST', body: blob });
  await res.arrayBuffer();
  if (res.status !== 201) throw new Error(`monolithic upload of ${digest} to ${repo}: ${res.status}`);
  return digest;
}

/** Pushes a one-layer image; answers the PUT's status (400 when a blob was collected meanwhile: grace 0). */
async function pushImage(base: string, image: Omit<Image, 'layer'>): Promise<Image & { status: number }> {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', image, nonce: randomBytes(8).toString('hex') }));
  const layer = randomBytes(1024);
  const [c, l] = [await pushBlob(base, image.repo, config), await pushBlob(base, image.repo, layer)];
  const manifest = JSON.stringify({
    schemaVersion: 2, mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: c, size: config.length }, layers: [{ mediaType: OCI_LAYER, digest: l, size: layer.length }],
  });
  const res = await fetch(`${base}/v2/${image.repo}/manifests/${image.tag}`, { method: 'PUT', headers: { 'content-type': OCI_MANIFEST }, body: manifest });
  await res.arrayBuffer();
  return { ...image, layer: l, status: res.status };
}

async function pool<T>(items: T[], concurrency: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  }));
}

/** A steady load of pushes and pulls (half the clients each) until stopped; counts what completed. */
function startLoad(base: string, survivors: Image[]) {
  const counts = { pushes: 0, pulls: 0, refused: 0, errors: 0 };
  let running = true;
  let n = 0;
  const client = async (pushing: boolean) => {
    while (running) {
      try {
        if (pushing) {
          const pushed = await pushImage(base, { repo: 'bench/load', tag: `l${n++}` });
          if (pushed.status === 201) counts.pushes++;
          else if (pushed.status === 400) counts.refused++; // MANIFEST_BLOB_UNKNOWN: a layer pushed before the run was collected (grace 0)
          else counts.errors++;
        } else {
          const image = survivors[Math.floor(Math.random() * survivors.length)]!;
          const m = await fetch(`${base}/v2/${image.repo}/manifests/${image.tag}`, { headers: { accept: OCI_MANIFEST } });
          await m.arrayBuffer();
          const b = await fetch(`${base}/v2/${image.repo}/blobs/${image.layer}`);
          const bytes = Buffer.from(await b.arrayBuffer());
          if (m.status === 200 && b.status === 200 && sha256(bytes) === image.layer) counts.pulls++;
          else counts.errors++;
        }
      } catch {
        counts.errors++;
      }
    }
  };
  const clients = Array.from({ length: LOAD_CLIENTS }, (_, i) => client(i % 2 === 0));
  const started = performance.now();
  return {
    counts,
    async stop() {
      running = false;
      await Promise.all(clients);
      return { seconds: (performance.now() - started) / 1000, ...counts };
    },
  };
}

const rate = (r: { seconds: number; pushes: number; pulls: number }) => ({ pushesPerSecond: round(r.pushes / r.seconds), pullsPerSecond: round(r.pulls / r.seconds) });

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'stratus-bench-gc-'));
  const port = 5200 + Math.floor(Math.random() * 600);
  say(`gc bench (${QUICK ? 'quick' : 'full'}): ${IMAGES} images of a config and a 1 KiB layer (${IMAGES * 2} blobs) in ${REPOSITORIES} repositories, every other one untagged\n`);
  const registry = await startStratus(port, work);
  try {
    const base = registry.base;
    let t = performance.now();
    const images: Image[] = [];
    await pool(Array.from({ length: IMAGES }, (_, i) => i), POPULATE_CONCURRENCY, async (i) => {
      const pushed = await pushImage(base, { repo: `bench/gc-${i % REPOSITORIES}`, tag: `t${i}` });
      if (pushed.status !== 201) throw new Error(`push of image ${i}: ${pushed.status}`);
      images[i] = pushed;
    });
    const populateSeconds = (performance.now() - t) / 1000;
    const untagged = images.filter((_, i) => i % 2 === 0);
    await pool(untagged, POPULATE_CONCURRENCY, async (image) => {
      const res = await fetch(`${base}/v2/${image.repo}/manifests/${image.tag}`, { method: 'DELETE' });
      if (res.status !== 202) throw new Error(`DELETE ${image.repo}:${image.tag}: ${res.status}`);
    });
    const survivors = images.filter((_, i) => i % 2 === 1);
    say(`  populated in ${round(populateSeconds)} s (${round((IMAGES * 3) / populateSeconds)} requests/s), ${untagged.length} tags deleted\n`);

    const baselineLoad = startLoad(base, survivors);
    await new Promise((r) => setTimeout(r, BASELINE_SECONDS * 1000));
    const baseline = await baselineLoad.stop();
    say(`  load without gc: ${JSON.stringify(rate(baseline))} over ${round(baseline.seconds)} s (errors ${baseline.errors})\n`);

    const endpoints = JSON.parse(readFileSync(join(registry.dataDir!, 'endpoints.json'), 'utf8')) as { s3Endpoint: string; dynamodbEndpoint: string; bucket: string; table: string };
    const calls: Record<string, number> = {};
    const count = (backend: string, command: string) => (calls[`${backend} ${command.replace(/Command$/, '')}`] = (calls[`${backend} ${command.replace(/Command$/, '')}`] ?? 0) + 1);
    const doc = observeCalls(createDocumentClient({ endpoint: endpoints.dynamodbEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }), 'dynamodb', count);
    const s3 = observeCalls(createS3Client({ endpoint: endpoints.s3Endpoint, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } }), 's3', count);
    const duringLoad = startLoad(base, survivors);
    // The run holds the table's snapshot in memory: the heap's peak while it runs (the load's clients are small beside it).
    const heapBefore = process.memoryUsage().heapUsed;
    let heapPeak = heapBefore;
    const sampler = setInterval(() => (heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed)), 50);
    t = performance.now();
    const report = await collectGarbage(
      { gc: new DynamoDbGcStore(doc, endpoints.table), blobs: new S3BlobStore({ client: s3, bucket: endpoints.bucket }), logger: silentLogger, now: Date.now },
      { graceMs: 0, dryRun: false, host: 'bench' },
    );
    const gcSeconds = (performance.now() - t) / 1000;
    clearInterval(sampler);
    const during = await duringLoad.stop();
    doc.destroy();
    s3.destroy();
    // The same load again after the run: a machine whose other work changed meanwhile shows as before != after.
    const afterLoad = startLoad(base, survivors);
    await new Promise((r) => setTimeout(r, BASELINE_SECONDS * 1000));
    const after = await afterLoad.stop();

    const { run } = report;
    const sorted = Object.fromEntries(Object.entries(calls).sort());
    const dynamodbRequests = Object.entries(calls).filter(([k]) => k.startsWith('dynamodb')).reduce((n, [, v]) => n + v, 0);
    const s3Requests = Object.entries(calls).filter(([k]) => k.startsWith('s3')).reduce((n, [, v]) => n + v, 0);
    say(`  gc run ${run.runId}: ${run.status} in ${round(gcSeconds, 2)} s: ${run.manifestsDeleted} manifests, ${run.linksDeleted} links, `
      + `${run.blobsDeleted} blobs, ${run.objectsDeleted} objects, ${round(run.bytesFreed / 1e6, 2)} MB\n`);
    say(`  requests: DynamoDB ${dynamodbRequests}, S3 ${s3Requests}; heap ${round(heapBefore / 2 ** 20)} MiB before, peak ${round(heapPeak / 2 ** 20)} MiB during the run\n`);
    for (const [k, v] of Object.entries(sorted)) say(`    ${k.padEnd(36)} ${v}\n`);
    say(`  load during gc: ${JSON.stringify(rate(during))} over ${round(during.seconds)} s (errors ${during.errors}, manifest PUTs refused ${during.refused})\n`);
    say(`  load after gc: ${JSON.stringify(rate(after))} over ${round(after.seconds)} s (errors ${after.errors})\n`);

    const results = {
      mode: QUICK ? 'quick' : 'full', images: IMAGES, blobs: IMAGES * 2, garbageBlobs: untagged.length * 2, populateSeconds: round(populateSeconds),
      gc: { seconds: round(gcSeconds, 2), run, dynamodbRequests, s3Requests, calls: sorted, heapMiB: { before: round(heapBefore / 2 ** 20), peak: round(heapPeak / 2 ** 20) } },
      load: { clients: LOAD_CLIENTS, baseline: { ...baseline, ...rate(baseline) }, during: { ...during, ...rate(during) }, after: { ...after, ...rate(after) } },
    };
    const dir = join(ROOT, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `gc-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    say(`  figures in ${file}\n`);
  } finally {
    for (const stop of cleanups.reverse()) await stop().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
