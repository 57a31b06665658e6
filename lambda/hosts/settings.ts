import { AUTH_DEFAULTS, clampTokenTtl } from '../auth/auth-config';
import { passwordCheckerForHost } from '../auth/hash-pool';
import type { LoginRate } from '../auth/login-rate-limit';
import type { KeySet } from '../ports/key-store';
import { BlobDelivery, defaultConfig, RegistryConfig, RegistryDeps } from '../core/config';
import type { Logger } from '../shared/logger';
import { DynamoDbAuthStore } from '../adapters/dynamodb/dynamodb-auth-store';
import { DynamoDbGcStore } from '../adapters/dynamodb/dynamodb-gc-store';
import { DynamoDbMetadataStore } from '../adapters/dynamodb/dynamodb-metadata-store';
import { DynamoDbMirrorStore } from '../adapters/dynamodb/dynamodb-mirror-store';
import { DynamoDbPolicyStore } from '../adapters/dynamodb/dynamodb-policy-store';
import { createDocumentClient, DynamoDbEndpoint, ensureTable } from '../adapters/dynamodb/table';
import { createS3Client, ensureBucket, S3Endpoint } from '../adapters/s3/s3-client';
import { S3BlobStore } from '../adapters/s3/s3-blob-store';
import { S3_COMPLETE_TIMEOUTS } from '../adapters/timeouts';
import { httpUpstreamFactory } from '../adapters/upstream/http-upstream';
import { BackendCallObserver, observeCalls } from './backend-calls';
import { credentialSourceFor, MirrorCredentialSettings, mirrorCredentialSettingsFromEnv } from './mirror-credentials';
import { DEFAULT_UPLOAD_SWEEP_SECONDS } from './upload-sweeper';
import { webUiAssets } from './web-ui-assets';

/** Everything a host needs to build the registry's dependencies. */
export interface Settings {
  bucket: string;
  table: string;
  s3: S3Endpoint;
  /** Endpoint put into presigned URLs when clients reach S3 by another address than the registry does. */
  s3PublicEndpoint?: string;
  dynamodb: DynamoDbEndpoint;
  config: RegistryConfig;
  /** Told of every S3 and DynamoDB command sent (benchmarks, call-budget tests). */
  observeBackendCall?: BackendCallObserver;
  /** Token authentication (STRATUS_AUTH=on); absent = auth off. */
  auth?: AuthSettings;
  /** Node host: seconds between sweeps of expired upload sessions (STRATUS_UPLOAD_SWEEP_SECONDS; 0 = never). @default 900 */
  uploadSweepSeconds?: number;
  /** Node host: STRATUS_BLOB_DELIVERY; absent = chosen from where the host listens (see blob-delivery.ts). */
  blobDelivery?: BlobDelivery;
  /** STRATUS_PUBLIC_URL: the registry's address as clients use it (e.g. https://registry.lan:5000). */
  publicUrl?: string;
  /** Node host: STRATUS_TLS_CERT and STRATUS_TLS_KEY, PEM files to serve HTTPS with. */
  tls?: TlsFiles;
  /**
   * The registry mirror (pull-through cache): on unless STRATUS_MIRROR=off; it fills only what the rules in
   * the table (`npx stratus mirror add`) cover. Absent = no mirror (and no rule reads).
   */
  mirror?: MirrorCredentialSettings;
}

/** Paths of a PEM certificate (chain) and its private key. */
export interface TlsFiles {
  cert: string;
  key: string;
}

/** Auth settings from the environment; the host supplies the signing keys. */
export interface AuthSettings {
  /** STRATUS_AUTH_SERVICE: token audience and challenge service. @default "stratus" */
  service: string;
  /** STRATUS_AUTH_REALM: the token endpoint URL; derived from each request's Host when absent. */
  realm?: string;
  /** STRATUS_TOKEN_TTL_SECONDS, clamped to 60..3600. @default 300 */
  tokenTtlSeconds: number;
  /** STRATUS_REFRESH_TTL_SECONDS. @default 30 days */
  refreshTtlSeconds: number;
  /** Password checks allowed per client address (not from the environment; tests). @default LOGIN_RATE */
  loginRate?: LoginRate;
}

/** The auth settings when STRATUS_AUTH is on (on, true, 1), else undefined. */
export function authSettingsFromEnv(env: NodeJS.ProcessEnv): AuthSettings | undefined {
  if (!/^(on|true|1)$/i.test(env.STRATUS_AUTH ?? '')) return undefined;
  return {
    service: env.STRATUS_AUTH_SERVICE || AUTH_DEFAULTS.service,
    realm: env.STRATUS_AUTH_REALM || (env.STRATUS_PUBLIC_URL ? `${env.STRATUS_PUBLIC_URL.replace(/\/+$/, '')}/token` : undefined),
    tokenTtlSeconds: clampTokenTtl(intEnv(env.STRATUS_TOKEN_TTL_SECONDS, AUTH_DEFAULTS.tokenTtlSeconds)),
    refreshTtlSeconds: intEnv(env.STRATUS_REFRESH_TTL_SECONDS, AUTH_DEFAULTS.refreshTtlSeconds),
  };
}

/** Reads settings from the environment (STRATUS_*, S3_*, DYNAMODB_ENDPOINT, AWS_*). */
export function settingsFromEnv(env: NodeJS.ProcessEnv): Settings {
  const credentials = env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
    ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY }
    : undefined;
  return {
    bucket: env.STRATUS_BUCKET ?? 'stratus-blobs',
    table: env.STRATUS_TABLE ?? 'stratus',
    s3: { endpoint: env.S3_ENDPOINT || undefined, region: env.AWS_REGION, credentials },
    s3PublicEndpoint: env.S3_PUBLIC_ENDPOINT || undefined,
    dynamodb: { endpoint: env.DYNAMODB_ENDPOINT || undefined, region: env.AWS_REGION, credentials },
    config: {
      ...defaultConfig,
      presignTtlSeconds: intEnv(env.STRATUS_PRESIGN_TTL_SECONDS, defaultConfig.presignTtlSeconds),
      tagCacheSeconds: intEnv(env.STRATUS_TAG_CACHE_SECONDS, defaultConfig.tagCacheSeconds),
      corsOrigin: env.STRATUS_CORS_ORIGIN ?? defaultConfig.corsOrigin,
      uploadBaseUrl: env.STRATUS_UPLOAD_BASE_URL ?? '',
      partSize: intEnv(env.STRATUS_PART_SIZE_BYTES, defaultConfig.partSize),
      chunkMinLength: intEnv(env.STRATUS_CHUNK_MIN_LENGTH, defaultConfig.chunkMinLength),
      mirrorFillInlineMaxBytes: intEnv(env.STRATUS_MIRROR_FILL_INLINE_MAX_BYTES, defaultConfig.mirrorFillInlineMaxBytes),
      mirrorWaitSeconds: intEnv(env.STRATUS_MIRROR_WAIT_SECONDS, defaultConfig.mirrorWaitSeconds),
      mirrorLeaseSeconds: intEnv(env.STRATUS_MIRROR_LEASE_SECONDS, defaultConfig.mirrorLeaseSeconds),
      uploadMemoryBytes: intEnv(env.STRATUS_UPLOAD_MEMORY_MB, defaultConfig.uploadMemoryBytes / MiB) * MiB,
    },
    auth: authSettingsFromEnv(env),
    uploadSweepSeconds: env.STRATUS_UPLOAD_SWEEP_SECONDS === '0' ? 0 : intEnv(env.STRATUS_UPLOAD_SWEEP_SECONDS, DEFAULT_UPLOAD_SWEEP_SECONDS),
    blobDelivery: blobDeliveryEnv(env.STRATUS_BLOB_DELIVERY),
    publicUrl: publicUrlEnv(env.STRATUS_PUBLIC_URL),
    tls: tlsEnv(env),
    mirror: mirrorEnv(env),
  };
}

function mirrorEnv(env: NodeJS.ProcessEnv): MirrorCredentialSettings | undefined {
  const value = (env.STRATUS_MIRROR ?? 'on').toLowerCase();
  if (value === 'off' || value === 'false' || value === '0') return undefined;
  if (value !== 'on' && value !== 'true' && value !== '1') throw new Error(`STRATUS_MIRROR=${env.STRATUS_MIRROR}: expected on or off`);
  return mirrorCredentialSettingsFromEnv(env);
}

function blobDeliveryEnv(value: string | undefined): BlobDelivery | undefined {
  if (!value) return undefined;
  if (value === 'redirect' || value === 'proxy') return value;
  throw new Error(`STRATUS_BLOB_DELIVERY=${value}: expected redirect or proxy`);
}

function publicUrlEnv(value: string | undefined): string | undefined {
  if (!value) return undefined;
  // Host characters only: it becomes the realm inside a quoted WWW-Authenticate parameter.
  if (!/^https?:\/\/[A-Za-z0-9.:[\]-]+\/?$/i.test(value)) throw new Error(`STRATUS_PUBLIC_URL=${value}: expected http(s)://<host>[:port], e.g. https://registry.lan:5000`);
  return value.replace(/\/+$/, '');
}

function tlsEnv(env: NodeJS.ProcessEnv): TlsFiles | undefined {
  const cert = env.STRATUS_TLS_CERT;
  const key = env.STRATUS_TLS_KEY;
  if (!cert && !key) return undefined;
  if (!cert || !key) throw new Error('STRATUS_TLS_CERT and STRATUS_TLS_KEY go together: set both (PEM certificate and private key) or neither');
  return { cert, key };
}

/** What the host adds to the settings: the signing key loader (a file locally, Secrets Manager in AWS). */
export interface HostAuth {
  keys: () => Promise<KeySet>;
}

/** S3 connections for blob reads when the Node host streams blobs (proxy delivery): concurrent pulls. */
export const PROXY_READ_SOCKETS = 512;

/** Builds the adapters once, at the host's entry, and hands them to the core; auth needs `host.keys`. */
export function buildDeps(settings: Settings, logger: Logger, host: Partial<HostAuth> = {}): RegistryDeps {
  const s3 = observeCalls(createS3Client(settings.s3), 's3', settings.observeBackendCall);
  const presignClient = settings.s3PublicEndpoint ? createS3Client({ ...settings.s3, endpoint: settings.s3PublicEndpoint }) : s3;
  // Streamed blobs hold an S3 connection each while their client reads: a pool of their own, so that slow
  // or stalled pullers never leave pushes waiting for a connection.
  const readClient = settings.config.blobDelivery === 'proxy'
    ? observeCalls(createS3Client({ ...settings.s3, maxSockets: PROXY_READ_SOCKETS }), 's3', settings.observeBackendCall)
    : s3;
  const completeClient = observeCalls(createS3Client({ ...settings.s3, timeouts: S3_COMPLETE_TIMEOUTS }), 's3', settings.observeBackendCall);
  const doc = observeCalls(createDocumentClient(settings.dynamodb), 'dynamodb', settings.observeBackendCall);
  if (settings.auth && !host.keys) throw new Error('auth is on (STRATUS_AUTH=on) but the host gave no signing key loader');
  return {
    blobs: new S3BlobStore({ client: s3, presignClient, readClient, completeClient, bucket: settings.bucket }),
    meta: new DynamoDbMetadataStore(doc, settings.table),
    policies: new DynamoDbPolicyStore(doc, settings.table),
    gcRuns: new DynamoDbGcStore(doc, settings.table),
    logger,
    config: settings.config,
    now: Date.now,
    assets: webUiAssets(),
    mirror: settings.mirror
      ? { store: new DynamoDbMirrorStore(doc, settings.table), credentials: credentialSourceFor(settings.mirror), upstream: httpUpstreamFactory({ logger }) }
      : undefined,
    auth: settings.auth && host.keys
      // Password checks on worker threads in the Node host, inline in Lambda (see hash-pool.ts).
      ? { ...settings.auth, store: new DynamoDbAuthStore(doc, settings.table), keys: host.keys, passwords: passwordCheckerForHost() }
      : undefined,
  };
}

/** Creates the bucket and table when missing (local and self-hosted set-ups). */
export async function ensureStorage(settings: Settings): Promise<void> {
  await ensureBucket(createS3Client(settings.s3), settings.bucket);
  await ensureTable(createDocumentClient(settings.dynamodb), settings.table);
}

const MiB = 1024 * 1024;

function intEnv(value: string | undefined, fallback: number): number {
  const n = value === undefined ? NaN : Number(value);
  return Number.isSafeInteger(n) && n > 0 ? n : fallback;
}
