import { defaultConfig, RegistryConfig, RegistryDeps } from '../core/config';
import type { Logger } from '../core/logger';
import { DynamoDbMetadataStore } from '../adapters/dynamodb/dynamodb-metadata-store';
import { createDocumentClient, DynamoDbEndpoint, ensureTable } from '../adapters/dynamodb/table';
import { createS3Client, ensureBucket, S3Endpoint } from '../adapters/s3/s3-client';
import { S3BlobStore } from '../adapters/s3/s3-blob-store';
import { BackendCallObserver, observeCalls } from './backend-calls';

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
      corsOrigin: env.STRATUS_CORS_ORIGIN ?? defaultConfig.corsOrigin,
      uploadBaseUrl: env.STRATUS_UPLOAD_BASE_URL ?? '',
      partSize: intEnv(env.STRATUS_PART_SIZE_BYTES, defaultConfig.partSize),
      chunkMinLength: intEnv(env.STRATUS_CHUNK_MIN_LENGTH, defaultConfig.chunkMinLength),
    },
  };
}

/** Builds the adapters once, at the host's entry, and hands them to the core. */
export function buildDeps(settings: Settings, logger: Logger): RegistryDeps {
  const s3 = observeCalls(createS3Client(settings.s3), 's3', settings.observeBackendCall);
  const presignClient = settings.s3PublicEndpoint ? createS3Client({ ...settings.s3, endpoint: settings.s3PublicEndpoint }) : s3;
  const doc = observeCalls(createDocumentClient(settings.dynamodb), 'dynamodb', settings.observeBackendCall);
  return {
    blobs: new S3BlobStore({ client: s3, presignClient, bucket: settings.bucket }),
    meta: new DynamoDbMetadataStore(doc, settings.table),
    logger,
    config: settings.config,
    now: Date.now,
  };
}

/** Creates the bucket and table when missing (local and self-hosted set-ups). */
export async function ensureStorage(settings: Settings): Promise<void> {
  await ensureBucket(createS3Client(settings.s3), settings.bucket);
  await ensureTable(createDocumentClient(settings.dynamodb), settings.table);
}

function intEnv(value: string | undefined, fallback: number): number {
  const n = value === undefined ? NaN : Number(value);
  return Number.isSafeInteger(n) && n > 0 ? n : fallback;
}
