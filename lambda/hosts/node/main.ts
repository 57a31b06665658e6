/**
 * The Node host as a service (container image, upload service): the registry on HOST:PORT against the
 * S3 and DynamoDB named by the environment (see settings.ts), sweeping expired upload sessions every
 * STRATUS_UPLOAD_SWEEP_SECONDS. `npm start` adds embedded local backends.
 */
import type { Server } from 'node:http';
import { jsonLogger, Logger } from '../../shared/logger';
import { defaultConfig } from '../../core/config';
import { createRegistry } from '../../core/registry';
import { buildDeps, ensureStorage, HostAuth, Settings, settingsFromEnv, TlsFiles } from '../settings';
import { keyLoaderFromEnv } from '../signing-keys-from-env';
import { DEFAULT_UPLOAD_SWEEP_SECONDS, startUploadSweeper } from '../upload-sweeper';
import { chooseBlobDelivery } from './blob-delivery';
import { createNodeServer } from './node-server';
import { loadTls } from './tls';

/** Options of a running Node host. */
export interface NodeHostOptions {
  port: number;
  host: string;
  settings: Settings;
  logger: Logger;
  /** Create the bucket and table when missing (local and self-hosted set-ups). */
  createStorage: boolean;
  /** The signing key loader, needed when auth is on. */
  auth?: Partial<HostAuth>;
  /** Serve HTTPS with this certificate and key (STRATUS_TLS_CERT, STRATUS_TLS_KEY). */
  tls?: TlsFiles;
}

/** Starts the registry over HTTP (HTTPS with `tls`) and resolves once it listens. */
export async function startNodeHost(opts: NodeHostOptions): Promise<Server> {
  // Unreadable TLS files stop the start before anything else is done.
  const tls = opts.tls ? loadTls(opts.tls) : undefined;
  if (opts.createStorage) await ensureStorage(opts.settings);
  const { delivery, reason } = chooseBlobDelivery(opts.settings, opts.host);
  // The Node host has no request time limit: it fills a mirrored blob of any size itself (the inline-fill
  // limit is the Lambda host's, and the upload service is where that host sends larger blobs).
  const config = { ...opts.settings.config, blobDelivery: delivery, mirrorFillInlineMaxBytes: defaultConfig.mirrorFillInlineMaxBytes };
  const settings = { ...opts.settings, config };
  const deps = buildDeps(settings, opts.logger, opts.auth);
  const server = createNodeServer(createRegistry(deps), opts.logger, { tls });
  // Abandoned upload sessions: their multipart uploads and leftovers are removed once they expire.
  const stopSweeper = startUploadSweeper(deps, opts.logger, opts.settings.uploadSweepSeconds ?? DEFAULT_UPLOAD_SWEEP_SECONDS);
  server.once('close', stopSweeper);
  await new Promise<void>((resolve) => server.listen(opts.port, opts.host, resolve));
  opts.logger.info(delivery === 'proxy' ? 'blob GETs: the registry streams the bytes' : 'blob GETs: 307 to presigned S3 URLs', { blobDelivery: delivery, reason });
  return server;
}

if (require.main === module) {
  const logger = jsonLogger({ service: 'stratus' });
  const settings = settingsFromEnv(process.env);
  const port = Number(process.env.PORT ?? 5000);
  const host = process.env.HOST ?? '0.0.0.0';
  startNodeHost({
    port, host, settings, logger, createStorage: process.env.STRATUS_CREATE_STORAGE === 'true', auth: keyLoaderFromEnv(process.env), tls: settings.tls,
  })
    .then((server) => {
      logger.info(`Stratus registry listening on ${settings.tls ? 'https' : 'http'}://${host}:${port}`, { bucket: settings.bucket, table: settings.table });
      process.once('SIGTERM', () => server.close(() => process.exit(0)));
    })
    .catch((err) => {
      logger.error('Stratus failed to start', { error: String(err) });
      process.exit(1);
    });
}
