/**
 * How the Node host answers blob GETs. A 307 to a presigned S3 URL is the cloud path and costs the registry
 * nothing; it only works when clients can reach the S3 address put into the URL. The embedded S3 (and any
 * S3 named by a loopback address) listens on this machine's loopback only, which another machine cannot
 * reach: then the host streams the bytes itself, as distribution does with redirects off.
 */
import type { BlobDelivery } from '../../core/config';
import type { Settings } from '../settings';

/** The delivery the host uses and why, for the start-up log. */
export interface DeliveryChoice {
  delivery: BlobDelivery;
  reason: string;
}

/**
 * STRATUS_BLOB_DELIVERY when set; else redirect when S3_PUBLIC_ENDPOINT says where clients reach S3 (the
 * operator's word, e.g. a published MinIO port); else proxy when the host serves other machines and S3 is
 * on the loopback.
 */
export function chooseBlobDelivery(settings: Settings, listenHost: string): DeliveryChoice {
  if (settings.blobDelivery) return { delivery: settings.blobDelivery, reason: 'STRATUS_BLOB_DELIVERY' };
  if (settings.s3PublicEndpoint) return { delivery: 'redirect', reason: `S3_PUBLIC_ENDPOINT: clients reach S3 at ${settings.s3PublicEndpoint}` };
  const s3Host = settings.s3.endpoint ? new URL(settings.s3.endpoint).hostname : undefined;
  const clientHost = settings.publicUrl ? new URL(settings.publicUrl).hostname : listenHost;
  if (s3Host && isLoopback(s3Host) && !isLoopback(clientHost)) {
    return { delivery: 'proxy', reason: `clients on other machines cannot reach S3 at ${s3Host}` };
  }
  return { delivery: 'redirect', reason: s3Host ? `clients reach S3 at ${s3Host}` : 'clients reach S3 directly' };
}

/** True for names only this machine can reach: localhost, 127.0.0.0/8, ::1 (brackets allowed). */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h === '::1' || /^::ffff:127\./.test(h);
}
