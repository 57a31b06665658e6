/**
 * `npm run bench:auth`: requests per second of a manifest HEAD on `npm start`'s server with auth on,
 * without credentials (anonymous pull granted), with a Bearer token (verified without a database read)
 * and with Basic credentials (bcrypt-checked, then remembered for a minute); then the latency of that
 * anonymous pull while 4 clients flood the token endpoint with logins under made-up names. Numbers
 * depend on the machine.
 */
import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStratus } from './contenders';
import { load, LoadResult } from './load';
import { ROOT } from './settings';

const ADMIN = { user: 'bench', password: 'bench-password-1' };
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);

async function pushImage(base: string, headers: Record<string, string>): Promise<string> {
  const config = Buffer.from('{"architecture":"amd64","os":"linux"}');
  const digest = `sha256:${createHash('sha256').update(config).digest('hex')}`;
  const put = await fetch(`${base}/v2/bench/app/blobs/uploads/?digest=${digest}`, { method: 'POST', body: config, headers });
  if (put.status !== 201) throw new Error(`blob push: ${put.status}`);
  const manifest = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest, size: config.length }, layers: [] });
  const res = await fetch(`${base}/v2/bench/app/manifests/v1`, { method: 'PUT', body: manifest,
    headers: { ...headers, 'content-type': 'application/vnd.oci.image.manifest.v1+json' } });
  if (res.status !== 201) throw new Error(`manifest push: ${res.status}`);
  return `${base}/v2/bench/app/manifests/v1`;
}


async function main() {
  const work = mkdtempSync(join(tmpdir(), 'stratus-bench-auth-'));
  const registry = await startStratus(5092, work, {
    STRATUS_AUTH: 'on', STRATUS_ADMIN_USER: ADMIN.user, STRATUS_ADMIN_PASSWORD: ADMIN.password,
  });
  try {
    const basic = { authorization: `Basic ${Buffer.from(`${ADMIN.user}:${ADMIN.password}`).toString('base64')}` };
    const url = await pushImage(registry.base, basic);
    // Anonymous pull on the repository, so the same request also succeeds without credentials.
    await run(join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, 'bin/stratus-cli.ts'), 'anonymous', 'set', 'bench/*'], registry.dataDir!);
    // The registry caches anonymous grants for up to 10 s: measure only once they apply.
    for (let i = 0; i < 60 && (await fetch(url, { method: 'HEAD' })).status !== 200; i++) await new Promise((r) => setTimeout(r, 500));
    const tokenRes = await fetch(`${registry.base}/token?service=stratus&scope=repository:bench/app:pull`, { headers: basic });
    const bearer = { authorization: `Bearer ${((await tokenRes.json()) as { token: string }).token}` };
    const variants: Array<[string, Record<string, string>]> = [
      ['no credentials (anonymous pull granted)', {}],
      ['Bearer token (verified, no database read)', bearer],
      ['Basic (bcrypt-checked once a minute)', basic],
    ];
    // Interleaved rounds: DynamoDB Local's JVM keeps getting faster for a while; the last round counts.
    let results: LoadResult[] = [];
    for (let round = 0; round < 2; round++) {
      results = [];
      for (const [, headers] of variants) results.push(await load(url, { method: 'HEAD', headers, connections, seconds }));
    }
    console.log(`manifest HEAD on npm start's server with STRATUS_AUTH=on, ${connections} connections, ${seconds} s each`);
    variants.forEach(([label], i) => {
      const r = results[i]!;
      console.log(`${label.padEnd(44)} ${String(r.rps).padStart(6)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms  errors ${r.errors}  (${(r.rps / results[0]!.rps).toFixed(2)}x)`);
    });
    await loginFlood(registry.base, url);
  } finally {
    await registry.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Anonymous pull latency (manifest HEAD, 4 connections) alone, then while 4 clients, each from its own
 * loopback address, send GET /token with Basic credentials of made-up user names as fast as answered.
 */
async function loginFlood(base: string, url: string): Promise<void> {
  const pull = () => load(url, { method: 'HEAD', connections: 4, seconds });
  const quiet = await pull();
  let flooding = true;
  const answers: Record<number, number> = {};
  const flooder = async (from: string) => {
    while (flooding) {
      const status = await login(base, from, randomUUID());
      answers[status] = (answers[status] ?? 0) + 1;
    }
  };
  const flooders = ['127.0.0.11', '127.0.0.12', '127.0.0.13', '127.0.0.14'].map(flooder);
  await new Promise((r) => setTimeout(r, 1000));
  const flooded = await pull();
  flooding = false;
  await Promise.all(flooders);
  console.log(`anonymous manifest HEAD, 4 connections: alone p50 ${quiet.p50} ms p99 ${quiet.p99} ms; during a login flood `
    + `(4 clients, made-up names) p50 ${flooded.p50} ms p99 ${flooded.p99} ms, errors ${flooded.errors}`);
  console.log(`login flood answers: ${Object.entries(answers).map(([status, n]) => `${n} x ${status}`).join(', ')}`);
}

/** GET /token with Basic credentials of `user` from a loopback address; resolves to the status. */
function login(base: string, from: string, user: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(`${base}/token?service=stratus`, {
      localAddress: from, agent: false, headers: { authorization: `Basic ${Buffer.from(`${user}:guess`).toString('base64')}` },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', () => resolve(0));
    req.end();
  });
}

function run(cmd: string, args: string[], dataDir: string): Promise<void> {
  return new Promise((ok, fail) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: 'ignore', env: { ...process.env, STRATUS_DATA_DIR: dataDir } });
    child.once('exit', (code) => (code === 0 ? ok() : fail(new Error(`${args.join(' ')} exited ${code}`))));
  });
}

main().catch((err) => { console.error(err); process.exit(1); });
