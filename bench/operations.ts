/**
 * Single operations, counted and timed on their own (issue 17): backend calls per monolithic blob PUT
 * (POST then PUT ?digest=, and a single POST ?digest= where the registry has it), per manifest PUT, per
 * manifest GET and HEAD and per blob GET (the 307, not followed); and manifest PUTs per second over one
 * connection, each to a new repository and each a new tag of one repository.
 */
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { OCI_CONFIG, OCI_LAYER, OCI_MANIFEST } from './settings';
import { sha256 } from './image';
import { http, pushBlob } from './registry-client';
import type { Registry } from './contenders';
import { BackendCalls, callsDuring } from './backend-calls';
import { round } from './stats';

/** Backend calls of `times` repetitions of one operation (divide by `times` for one). */
export interface OperationCalls { times: number; calls?: BackendCalls }

/** What this file measures of one registry. */
export interface Operations {
  calls: Record<string, OperationCalls>;
  /** Manifest PUTs per second over one connection: `create repository` (each to a new repository), `new tag`. */
  manifestPutsPerSecond: Record<string, number>;
  manifestPuts: number;
}

/** A tiny image: a 1 KiB layer and a config, pushed to `repo`; its manifest body. */
async function tinyImage(base: string, repo: string): Promise<{ manifest: string; digests: string[] }> {
  const layer = randomBytes(1024);
  const config = Buffer.from(`{"architecture":"amd64","os":"linux","bench":"${randomBytes(4).toString('hex')}"}`);
  await pushBlob(base, repo, sha256(layer), layer.length, { body: layer });
  await pushBlob(base, repo, sha256(config), config.length, { body: config });
  return {
    digests: [sha256(layer), sha256(config)],
    manifest: JSON.stringify({
      schemaVersion: 2, mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: sha256(config), size: config.length },
      layers: [{ mediaType: OCI_LAYER, digest: sha256(layer), size: layer.length }],
    }),
  };
}

/** One request on `agent` (the rates' single connection); the status once the answer is read. */
function onAgent(agent: Agent, url: string, method: string, body?: string): Promise<{ status: number }> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method, agent, headers: body === undefined ? { 'content-length': '0' } : { 'content-type': OCI_MANIFEST, 'content-length': String(Buffer.byteLength(body)) },
    }, (res) => { res.resume(); res.on('end', () => resolve({ status: res.statusCode! })); res.on('error', reject); });
    req.on('error', reject);
    req.end(body);
  });
}

async function expectStatus(p: Promise<{ status: number }>, want: number[], what: string): Promise<void> {
  const res = await p;
  if (!want.includes(res.status)) throw new Error(`${what}: ${res.status}`);
}

/** A blob pushed in one request: `POST /blobs/uploads/?digest=` with the body (OCI's monolithic single POST). */
async function singlePost(base: string, repo: string, body: Buffer): Promise<number> {
  return (await http(`${base}/v2/${repo}/blobs/uploads/?digest=${sha256(body)}`, {
    method: 'POST', body, headers: { 'content-type': 'application/octet-stream', 'content-length': String(body.length) },
  })).status;
}

/** Counts each operation `times` times in its own window. */
export async function countOperations(reg: Registry, times: number, singlePostSupported: boolean): Promise<Record<string, OperationCalls>> {
  const repo = 'bench/ops';
  const { manifest, digests } = await tinyImage(reg.base, repo);
  await expectStatus(http(`${reg.base}/v2/${repo}/manifests/v0`, { method: 'PUT', body: manifest, headers: { 'content-type': OCI_MANIFEST } }), [201], 'PUT manifest');
  const out: Record<string, OperationCalls> = {};
  const count = async (name: string, one: (i: number) => Promise<void>) => {
    out[name] = { times, calls: (await callsDuring(reg, async () => { for (let i = 0; i < times; i++) await one(i); })).calls };
  };
  await count('blob PUT (POST + PUT)', async () => {
    const b = randomBytes(4096);
    await pushBlob(reg.base, repo, sha256(b), b.length, { body: b });
  });
  if (singlePostSupported) {
    await count('blob PUT (single POST)', async () => {
      if (await singlePost(reg.base, repo, randomBytes(4096)) !== 201) throw new Error('single POST did not answer 201');
    });
  }
  await count('manifest PUT (new tag)', (i) => expectStatus(http(`${reg.base}/v2/${repo}/manifests/count${i}`, {
    method: 'PUT', body: manifest, headers: { 'content-type': OCI_MANIFEST },
  }), [201], 'PUT manifest'));
  await count('manifest GET', () => expectStatus(http(`${reg.base}/v2/${repo}/manifests/v0`, { method: 'GET', headers: { accept: OCI_MANIFEST } }), [200], 'GET manifest'));
  await count('manifest HEAD', () => expectStatus(http(`${reg.base}/v2/${repo}/manifests/v0`, { method: 'HEAD', headers: { accept: OCI_MANIFEST } }), [200], 'HEAD manifest'));
  await count('blob GET (redirect)', () => expectStatus(http(`${reg.base}/v2/${repo}/blobs/${digests[0]}`, { method: 'GET' }), [307, 302, 200], 'GET blob'));
  return out;
}

/**
 * Manifest PUTs per second over one keep-alive connection, timing the PUTs alone: `count` each to a new
 * repository (its blobs mounted there first, untimed, since a manifest needs them in its repository) and
 * `count` new tags of one repository.
 */
export async function manifestPutRates(base: string, count: number): Promise<Record<string, number>> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const from = 'bench/rates';
    const { manifest, digests } = await tinyImage(base, from);
    const put = async (repo: string, tag: string) => {
      const t0 = performance.now();
      await expectStatus(onAgent(agent, `${base}/v2/${repo}/manifests/${tag}`, 'PUT', manifest), [201], `PUT ${repo}:${tag}`);
      return performance.now() - t0;
    };
    let createMs = 0;
    for (let i = 0; i < count; i++) {
      const repo = `bench/new${i}`;
      for (const d of digests) {
        await expectStatus(onAgent(agent, `${base}/v2/${repo}/blobs/uploads/?mount=${d}&from=${from}`, 'POST'), [201], `mount ${d}`);
      }
      createMs += await put(repo, 'latest');
    }
    let tagMs = 0;
    for (let i = 0; i < count; i++) tagMs += await put(from, `rate${i}`);
    return { 'create repository': round(count / (createMs / 1000), 1), 'new tag': round(count / (tagMs / 1000), 1) };
  } finally {
    agent.destroy();
  }
}

/** Every figure of this file for one registry. */
export async function measureOperations(reg: Registry, times: number, puts: number): Promise<Operations> {
  return {
    calls: await countOperations(reg, times, reg.name.startsWith('stratus')),
    manifestPutsPerSecond: await manifestPutRates(reg.base, puts),
    manifestPuts: puts,
  };
}
