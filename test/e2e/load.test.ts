/**
 * Load: 200 concurrent clients pull manifests (by tag and by digest, GET and HEAD) and blobs (HEAD, and
 * GET following the 307 to S3 and reading the bytes) from the registry that `npm start` runs, for 60 s
 * (STRATUS_SOAK_SECONDS for a longer soak). Every answer must be right, and the registry process's
 * memory must not grow: RSS is sampled each second and the last third may not exceed the first third's
 * peak by more than 50 MB (warm-up happens in the first third; a leak keeps climbing).
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { descendants } from './exec';
import { RegistryProcess, startRegistry } from './registry-process';

const CLIENTS = 200;
const SECONDS = Number(process.env.STRATUS_SOAK_SECONDS ?? 60);
const RSS_GROWTH_LIMIT_MB = 50;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

jest.setTimeout((SECONDS + 180) * 1000);

const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** The process (the spawned one or a descendant) holding the listening socket of `port`. */
function pidListeningOn(rootPid: number, port: number): number {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // local_address is HEXIP:HEXPORT; state 0A is LISTEN; inode is the tenth field
      if (f[1]?.endsWith(`:${hexPort}`) && f[3] === '0A') inodes.add(f[9]!);
    }
  }
  for (const pid of [rootPid, ...descendants(rootPid)]) {
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
        if (inode && inodes.has(inode)) return pid;
      }
    } catch {
      // exited, or not ours to read
    }
  }
  throw new Error(`no process under ${rootPid} listens on port ${port}`);
}

function rssMB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

interface Seeded {
  repo: string;
  blobs: Array<{ digest: string; size: number }>;
  manifests: Array<{ tag: string; digest: string; size: number }>;
}

/** Pushes blobs of a few sizes and two tagged manifests over them. */
async function seed(base: string): Promise<Seeded> {
  const repo = 'load/app';
  const blobs: Seeded['blobs'] = [];
  for (const size of [512, 16 * 1024, 256 * 1024, 1024 * 1024]) {
    const bytes = randomBytes(size);
    const res = await fetch(`${base}/v2/${repo}/blobs/uploads/?digest=${sha256(bytes)}`, { method: 'POST', body: bytes });
    expect(res.status).toBe(201);
    blobs.push({ digest: sha256(bytes), size });
  }
  const manifests: Seeded['manifests'] = [];
  for (const tag of ['v1', 'v2']) {
    const body = Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: blobs[0]!.digest, size: blobs[0]!.size },
      layers: blobs.slice(1).map((b) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: b.digest, size: b.size })),
      annotations: { tag },
    }));
    const res = await fetch(`${base}/v2/${repo}/manifests/${tag}`, { method: 'PUT', headers: { 'content-type': OCI_MANIFEST }, body });
    expect(res.status).toBe(201);
    manifests.push({ tag, digest: sha256(body), size: body.length });
  }
  return { repo, blobs, manifests };
}

/** One client request of the mix; returns an error description, or undefined when the answer was right. */
type Operation = (base: string, s: Seeded) => Promise<string | undefined>;

const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)]!;

const OPERATIONS: Array<[string, Operation]> = [
  ['manifest GET by tag', async (base, s) => {
    const m = pick(s.manifests);
    const res = await fetch(`${base}/v2/${s.repo}/manifests/${m.tag}`, { headers: { accept: OCI_MANIFEST } });
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (res.status !== 200 || sha256(bytes) !== m.digest) return `GET manifest ${m.tag}: ${res.status}`;
    return undefined;
  }],
  ['manifest GET by digest', async (base, s) => {
    const m = pick(s.manifests);
    const res = await fetch(`${base}/v2/${s.repo}/manifests/${m.digest}`, { headers: { accept: OCI_MANIFEST } });
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (res.status !== 200 || sha256(bytes) !== m.digest) return `GET manifest ${m.digest}: ${res.status}`;
    return undefined;
  }],
  ['manifest HEAD', async (base, s) => {
    const m = pick(s.manifests);
    const res = await fetch(`${base}/v2/${s.repo}/manifests/${m.tag}`, { method: 'HEAD', headers: { accept: OCI_MANIFEST } });
    await res.arrayBuffer();
    if (res.status !== 200 || res.headers.get('docker-content-digest') !== m.digest) return `HEAD manifest ${m.tag}: ${res.status}`;
    return undefined;
  }],
  ['blob HEAD', async (base, s) => {
    const b = pick(s.blobs);
    const res = await fetch(`${base}/v2/${s.repo}/blobs/${b.digest}`, { method: 'HEAD' });
    await res.arrayBuffer();
    if (res.status !== 200 || res.headers.get('content-length') !== String(b.size)) return `HEAD blob ${b.digest}: ${res.status}`;
    return undefined;
  }],
  ['blob GET + redirect', async (base, s) => {
    const b = pick(s.blobs);
    const first = await fetch(`${base}/v2/${s.repo}/blobs/${b.digest}`, { redirect: 'manual' });
    await first.arrayBuffer();
    const location = first.headers.get('location');
    if (first.status !== 307 || !location) return `GET blob ${b.digest}: ${first.status}`;
    const res = await fetch(location);
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (res.status !== 200 || sha256(bytes) !== b.digest) return `GET ${location.split('?')[0]}: ${res.status}, ${bytes.length} bytes`;
    return undefined;
  }],
];

describe(`load: ${CLIENTS} concurrent pulling clients for ${SECONDS} s against npm start`, () => {
  let registry: RegistryProcess | undefined;
  afterAll(async () => {
    await registry?.stop();
  });

  it('every request answered right, and the registry process RSS does not grow', async () => {
    registry = await startRegistry();
    const base = `http://${registry.host}`;
    const s = await seed(base);
    const pid = pidListeningOn(registry.pid!, Number(registry.host.split(':')[1]));

    const counts = new Map<string, number>(OPERATIONS.map(([name]) => [name, 0]));
    const errors: string[] = [];
    let requests = 0;
    const rss: number[] = [];
    const sampler = setInterval(() => rss.push(rssMB(pid)), 1000);
    const started = Date.now();
    const deadline = started + SECONDS * 1000;
    const client = async () => {
      while (Date.now() < deadline) {
        const [name, op] = pick(OPERATIONS);
        let error: string | undefined;
        try {
          error = await op(base, s);
        } catch (err) {
          error = `${name}: ${(err as Error).message} ${String((err as { cause?: unknown }).cause ?? '')}`;
        }
        requests++;
        counts.set(name, counts.get(name)! + 1);
        if (error) errors.push(error);
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, client));
    clearInterval(sampler);
    const elapsed = (Date.now() - started) / 1000;

    const third = Math.max(1, Math.floor(rss.length / 3));
    const firstMax = Math.max(...rss.slice(0, third));
    const lastMax = Math.max(...rss.slice(-third));
    const figures = {
      clients: CLIENTS, seconds: Math.round(elapsed), requests, rps: Math.round(requests / elapsed), errors: errors.length,
      byOperation: Object.fromEntries(counts), registryPid: pid,
      rssMB: { first: Math.round(rss[0]!), last: Math.round(rss[rss.length - 1]!), firstThirdMax: Math.round(firstMax), lastThirdMax: Math.round(lastMax), max: Math.round(Math.max(...rss)) },
    };
    // The figures go to the test output: the README's reliability section quotes them.
    console.log(`load figures ${JSON.stringify(figures)}`);
    expect(errors.slice(0, 10)).toEqual([]);
    expect(requests).toBeGreaterThan(CLIENTS);
    expect(lastMax).toBeLessThanOrEqual(firstMax + RSS_GROWTH_LIMIT_MB);
  });
});
