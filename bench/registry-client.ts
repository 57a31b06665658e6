/** Push and pull over the registry API, as a client does, counting the bytes that came from the registry itself. */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { request } from 'node:http';
import { OCI_CONFIG, OCI_LAYER, OCI_MANIFEST } from './settings';
import { Blob, Image, sha256 } from './image';
import { status } from './contenders';

export interface HttpResult { status: number; headers: Record<string, string | string[] | undefined>; bytes: number; digest?: string; body?: Buffer }

export function http(url: string, opts: { method: string; headers?: Record<string, string>; body?: Buffer | string; file?: string; hash?: boolean; keep?: boolean }): Promise<HttpResult> {
  return new Promise((resolvePromise, reject) => {
    const u = new URL(url);
    // The loopback only (Stratus's embedded S3 answers on 127.0.0.2, a host name of its own).
    if (!/^127\.\d+\.\d+\.\d+$/.test(u.hostname) && u.hostname !== 'localhost') return reject(new Error(`refusing to contact ${u.host}`));
    const req = request(u, { method: opts.method, headers: opts.headers }, (res) => {
      const hash = opts.hash ? createHash('sha256') : undefined;
      const chunks: Buffer[] = [];
      let bytes = 0;
      res.on('data', (c: Buffer) => { bytes += c.length; hash?.update(c); if (opts.keep) chunks.push(c); });
      res.on('end', () => resolvePromise({
        status: res.statusCode!, headers: res.headers, bytes,
        digest: hash ? `sha256:${hash.digest('hex')}` : undefined, body: opts.keep ? Buffer.concat(chunks) : undefined,
      }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (opts.file) createReadStream(opts.file).on('error', reject).pipe(req);
    else req.end(opts.body);
  });
}

export async function pushBlob(base: string, repo: string, digest: string, size: number, src: { file?: string; body?: Buffer }): Promise<void> {
  const start = await http(`${base}/v2/${repo}/blobs/uploads/`, { method: 'POST', headers: { 'content-length': '0' } });
  if (start.status !== 202) throw new Error(`POST upload: ${start.status}`);
  const location = new URL(String(start.headers.location), base);
  location.searchParams.set('digest', digest);
  const put = await http(location.toString(), {
    method: 'PUT', ...src,
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
  });
  if (put.status !== 201) throw new Error(`PUT upload ${digest}: ${put.status}`);
}

/** Pushes the image like a client: the blobs in parallel (each POST + PUT ?digest= with the whole body), then the manifest. */
export async function push(base: string, repo: string, image: Image): Promise<void> {
  await Promise.all([
    ...image.layers.map((l) => pushBlob(base, repo, l.digest, l.size, { file: l.path })),
    pushBlob(base, repo, image.configDigest, image.config.length, { body: image.config }),
  ]);
  const res = await http(`${base}/v2/${repo}/manifests/latest`, { method: 'PUT', body: image.manifest, headers: { 'content-type': OCI_MANIFEST } });
  if (res.status !== 201) throw new Error(`PUT manifest: ${res.status}`);
}

export async function warmupPush(base: string): Promise<void> {
  const blob = randomBytes(1 << 20);
  const config = Buffer.from('{"architecture":"amd64","os":"linux"}');
  const digest = sha256(blob);
  await Promise.all([
    pushBlob(base, 'bench/warmup', digest, blob.length, { body: blob }),
    pushBlob(base, 'bench/warmup', sha256(config), config.length, { body: config }),
  ]);
  const manifest = JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: sha256(config), size: config.length },
    layers: [{ mediaType: OCI_LAYER, digest, size: blob.length }] });
  const res = await http(`${base}/v2/bench/warmup/manifests/latest`, { method: 'PUT', body: manifest, headers: { 'content-type': OCI_MANIFEST } });
  if (res.status !== 201) throw new Error(`warm-up manifest: ${res.status}`);
  await pullBlob(base, 'bench/warmup', digest, { viaRegistry: 0, viaRedirect: 0, redirected: 0 });
}

/** Blob bytes that came from the registry itself (not from the redirect target). */
export interface PullResult { viaRegistry: number; viaRedirect: number; redirected: number }

export async function pullBlob(base: string, repo: string, digest: string, out: PullResult): Promise<void> {
  const first = await http(`${base}/v2/${repo}/blobs/${digest}`, { method: 'GET', hash: true });
  let got = first;
  if (first.status === 307 || first.status === 302) {
    out.redirected++;
    out.viaRegistry += first.bytes;
    got = await http(new URL(String(first.headers.location), base).toString(), { method: 'GET', hash: true });
    out.viaRedirect += got.bytes;
  } else {
    out.viaRegistry += got.bytes;
  }
  if (got.status !== 200 || got.digest !== digest) throw new Error(`GET blob ${digest}: ${got.status}, got ${got.digest}`);
}

/** Pulls the image like a client: the manifest by tag, then config and layers in parallel, digests verified. */
export async function pull(base: string, repo: string, image: Image): Promise<PullResult> {
  const out: PullResult = { viaRegistry: 0, viaRedirect: 0, redirected: 0 };
  const m = await http(`${base}/v2/${repo}/manifests/latest`, { method: 'GET', headers: { accept: OCI_MANIFEST }, keep: true });
  if (m.status !== 200) throw new Error(`GET manifest: ${m.status}`);
  const manifest = JSON.parse(m.body!.toString()) as { config: { digest: string }; layers: Array<{ digest: string }> };
  await Promise.all([manifest.config, ...manifest.layers].map((d) => pullBlob(base, repo, d.digest, out)));
  if (manifest.layers.length !== image.layers.length) throw new Error('pulled manifest differs');
  return out;
}


