/**
 * The local S3 server in a child process of its own, so `npm start`'s registry process holds only the
 * registry (its memory is measured alone) and S3's disk I/O does not share the registry's event loop.
 * Run directly, this file is the child: it starts the server and prints its endpoint as one JSON line.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { backendChildEnv } from './child-env';
import { LOCAL_S3_CREDENTIALS, LOCAL_S3_REGION, LocalS3, startLocalS3 } from './s3-server';

/**
 * Starts the local S3 server in a child process; it exits with this process (its stdin closes). It listens
 * on a loopback address of its own (see separateLoopbackHost) unless `host` is given.
 */
export async function startLocalS3Process(opts: { dataDir: string; port?: number; host?: string }): Promise<LocalS3> {
  // Run from TypeScript without tsx in execArgv (jest): the child needs the loader too.
  const loader = __filename.endsWith('.ts') && !process.execArgv.some((a) => a.includes('tsx')) ? ['--require', 'tsx/cjs'] : [];
  const host = opts.host ?? separateLoopbackHost(process.env.HOST);
  const child = spawn(process.execPath, [...process.execArgv, ...loader, __filename, opts.dataDir, String(opts.port ?? 0), host], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: backendChildEnv(), // none of the registry's settings or secrets
  });
  const endpoint = await firstLine(child);
  return {
    endpoint, region: LOCAL_S3_REGION, ...LOCAL_S3_CREDENTIALS,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.stdin?.end();
    }),
  };
}

/**
 * The embedded S3's address: 127.0.0.2, not the registry's 127.0.0.1. Presigned URLs then name another host
 * than the registry, and clients that forward Authorization on a redirect to the same host name (Go's
 * net/http: the OCI conformance suite, many tools) never send registry credentials to S3, which refuses a
 * request with two auth mechanisms. Linux routes all of 127.0.0.0/8 to lo. 127.0.0.3 when the registry
 * itself is on 127.0.0.2.
 */
export function separateLoopbackHost(registryHost: string | undefined): string {
  return registryHost === '127.0.0.2' ? '127.0.0.3' : '127.0.0.2';
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      try {
        resolve((JSON.parse(line) as { endpoint: string }).endpoint);
      } catch {
        reject(new Error(`local S3 process said: ${line}`));
      }
    });
    child.once('exit', (code) => reject(new Error(`local S3 process exited with ${code} before it was ready`)));
  });
}

if (require.main === module) {
  const [dataDir, port, host] = process.argv.slice(2) as [string, string, string | undefined];
  startLocalS3({ dataDir, port: Number(port), host, silent: true }).catch((err: NodeJS.ErrnoException) => {
    // Systems that route only 127.0.0.1 to the loopback (macOS): 127.0.0.1, named localhost in presigned
    // URLs, still a host name other than the registry's 127.0.0.1.
    if (err.code !== 'EADDRNOTAVAIL' || !host?.startsWith('127.')) throw err;
    return startLocalS3({ dataDir, port: Number(port), host: '127.0.0.1', endpointHost: 'localhost', silent: true });
  }).then((s3) => {
    process.stdout.write(`${JSON.stringify({ endpoint: s3.endpoint })}\n`);
    // The parent closing our stdin (stop, or its death) ends us.
    process.stdin.resume();
    process.stdin.once('end', () => void s3.stop().then(() => process.exit(0)));
  }).catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
