/**
 * The patched local S3 server in a process of its own, counting the requests it serves: how distribution's
 * backend calls are measured (at the S3 server, since its SDK cannot be instrumented from here). A listener
 * on Node's `http.server.request.start` diagnostics channel tallies each request by operation inside the
 * S3 server's process (no proxy, no extra hop); GET /counts on a second port reads the tallies.
 * Run directly, this file is the child and prints `{ endpoint, counts }` as one JSON line.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { subscribe } from 'node:diagnostics_channel';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { LOCAL_S3_CREDENTIALS, LOCAL_S3_REGION, LocalS3, startLocalS3 } from '../local/backends/s3-server';

/** Requests the S3 server served, by operation (e.g. "PUT object", "POST ?uploadId", "GET presigned"). */
export type S3Counts = Record<string, number>;

/** A local S3 server process whose request counts can be read. */
export interface CountingS3 extends LocalS3 {
  child: ChildProcess;
  counts(): Promise<S3Counts>;
}

/** Starts the counting S3 server in a child process (its own process group is the caller's). */
export async function startCountingS3(dataDir: string): Promise<CountingS3> {
  const child = spawn(process.execPath, [...process.execArgv, __filename, dataDir], { stdio: ['pipe', 'pipe', 'inherit'] });
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`counting S3 server exited with ${code}`)));
  });
  const { endpoint, counts } = JSON.parse(first) as { endpoint: string; counts: string };
  return {
    endpoint, region: LOCAL_S3_REGION, ...LOCAL_S3_CREDENTIALS, child,
    counts: async () => (await (await fetch(counts)).json()) as S3Counts,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.stdin?.end();
    }),
  };
}

/** The operation of an S3 request, coarse enough to read: method, object or bucket, sub-resource. */
export function s3Operation(req: IncomingMessage): string {
  const url = new URL(req.url ?? '/', 'http://s3');
  if (url.searchParams.has('X-Amz-Signature')) return `${req.method} presigned`;
  const sub = ['uploads', 'uploadId', 'partNumber', 'list-type', 'delete'].filter((k) => url.searchParams.has(k));
  const onObject = url.pathname.split('/').filter(Boolean).length > 1;
  return `${req.method} ${onObject ? 'object' : 'bucket'}${sub.length ? ` ?${sub.join('&')}` : ''}`;
}

if (require.main === module) {
  const counts: S3Counts = {};
  let s3Server: Server | undefined;
  let countsServer: Server | undefined;
  subscribe('http.server.request.start', (message) => {
    const { request, server } = message as { request: IncomingMessage; server: Server };
    if (server === countsServer) return;
    s3Server ??= server;
    const op = s3Operation(request);
    counts[op] = (counts[op] ?? 0) + 1;
  });
  const [dataDir] = process.argv.slice(2) as [string];
  void (async () => {
    const s3 = await startLocalS3({ dataDir, port: 0, silent: true });
    countsServer = createServer((_req, res) => { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify(counts)); });
    await new Promise<void>((r) => countsServer!.listen(0, '127.0.0.1', r));
    const countsUrl = `http://127.0.0.1:${(countsServer.address() as AddressInfo).port}/counts`;
    process.stdout.write(`${JSON.stringify({ endpoint: s3.endpoint, counts: countsUrl })}\n`);
    process.stdin.resume();
    process.stdin.once('end', () => void s3.stop().then(() => process.exit(0)));
  })().catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
