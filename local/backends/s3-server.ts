/**
 * Local S3 for this machine and CI: @20minutes/s3rver 4.0.4 with the fixes in
 * patches/@20minutes+s3rver+4.0.4.patch (SigV4 on "/bucket/", no anonymous access, ListParts,
 * AbortMultipartUpload, S3's multipart rules, streamed multipart completion, Range fixes,
 * If-None-Match: *, bucket CORS answered as S3 does: a rule naming the origin echoes it with credentials,
 * preflights too, and `*` never comes with credentials). Runs in-process; objects are plain files under `dataDir`.
 *
 * Clients must use `forcePathStyle: true` and `requestChecksumCalculation` /
 * `responseChecksumValidation: 'WHEN_REQUIRED'`: no emulator validates S3 checksums.
 */
import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running local S3 server and the fixed credentials it accepts. */
export interface LocalS3 {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  stop(): Promise<void>;
}

/** The only key pair s3rver knows (its built-in account); anything else gets InvalidAccessKeyId. */
export const LOCAL_S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
/** Region to sign with; s3rver accepts any, like S3 in us-east-1. */
export const LOCAL_S3_REGION = 'us-east-1';

interface S3rverOptions {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  vhostBuckets: boolean;
  configureBuckets: unknown[];
}
interface S3rverApp {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  on(event: 'error', listener: (err: Error & { status?: number; headerSent?: boolean }) => void): void;
  httpServer?: Server;
}
type S3rverCtor = new (options: S3rverOptions) => S3rverApp;

/** Fails fast when node_modules holds an unpatched s3rver (e.g. installed with --ignore-scripts). */
function loadPatchedS3rver(): S3rverCtor {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const objectCtrl = require('@20minutes/s3rver/lib/controllers/object.js') as Record<string, unknown>;
  if (typeof objectCtrl.listParts !== 'function') {
    throw new Error(
      '@20minutes/s3rver is not patched: run `npx patch-package` (patches/@20minutes+s3rver+4.0.4.patch)',
    );
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@20minutes/s3rver') as S3rverCtor;
}

/**
 * Starts the patched s3rver on `host` (127.0.0.1); data under `dataDir` survives restarts. port 0 = ephemeral.
 * `endpointHost` names it in the endpoint instead of `host` (e.g. localhost, a name other than the registry's).
 */
export async function startLocalS3(opts: {
  dataDir: string;
  port?: number;
  host?: string;
  endpointHost?: string;
  silent?: boolean;
}): Promise<LocalS3> {
  const S3rver = loadPatchedS3rver();
  const host = opts.host ?? '127.0.0.1';
  const silent = opts.silent ?? true;
  await mkdir(opts.dataDir, { recursive: true });

  const app = new S3rver({
    address: host,
    port: opts.port ?? 0,
    silent,
    directory: opts.dataDir,
    // path-style only: a hostname such as S3_PUBLIC_ENDPOINT's must not be taken for a bucket
    vhostBuckets: false,
    configureBuckets: [],
  });
  // `silent` also mutes Koa's error log; still report real faults, not S3 errors or client aborts
  app.on('error', (err) => {
    if (!silent || ((err.status ?? 500) >= 500 && !err.headerSent)) {
      console.error('[local-s3]', err);
    }
  });
  const address = await app.run();
  const publicHost = opts.endpointHost ?? (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host);
  const endpointHost = publicHost.includes(':') ? `[${publicHost}]` : publicHost;

  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://${endpointHost}:${address.port}`,
    region: LOCAL_S3_REGION,
    ...LOCAL_S3_CREDENTIALS,
    stop() {
      stopped ??= (async () => {
        const server = app.httpServer;
        const closing = app.close();
        server?.closeIdleConnections();
        // a client still streaming must not hold the stop forever
        const timer = setTimeout(() => server?.closeAllConnections(), 2000);
        try {
          await closing;
        } finally {
          clearTimeout(timer);
        }
      })();
      return stopped;
    },
  };
}
