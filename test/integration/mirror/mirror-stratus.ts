/**
 * A Stratus with the registry mirror on, for the mirror's integration tests: the Node host on an ephemeral
 * port over the suite's local S3 and DynamoDB Local (a bucket and table of its own), its log lines kept,
 * and the mirror store to add rules with (what `npx stratus mirror add` writes).
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { DynamoDbMirrorStore } from '../../../lambda/adapters/dynamodb/dynamodb-mirror-store';
import { createDocumentClient } from '../../../lambda/adapters/dynamodb/table';
import { defaultConfig, RegistryConfig, RegistryDeps } from '../../../lambda/core/config';
import { createRegistry } from '../../../lambda/core/registry';
import { createNodeServer } from '../../../lambda/hosts/node/node-server';
import { buildDeps, ensureStorage, Settings } from '../../../lambda/hosts/settings';
import { DEFAULT_TAG_TTL_SECONDS, MirrorRule } from '../../../lambda/ports/mirror-store';
import type { Logger } from '../../../lambda/shared/logger';
import { backendEnv } from '../backend-env';

/** One log line the registry wrote. */
export interface LogLine {
  level: 'info' | 'warn' | 'error';
  message: string;
  fields: Record<string, unknown>;
}

/** A running mirror registry. */
export interface MirrorStratus {
  url: string;
  settings: Settings;
  deps: RegistryDeps;
  logs: LogLine[];
  /** Adds a rule (before the first request: rules are cached per process for 10 s). */
  addRule(prefix: string, upstream: string, rule?: Partial<MirrorRule>): Promise<void>;
  stop(): Promise<void>;
}

export async function startMirrorStratus(
  config: Partial<RegistryConfig> = {}, observeBackendCall?: Settings['observeBackendCall'],
  /** Run on another instance's bucket and table: a second host of one deployment. */
  shareStorageWith?: MirrorStratus,
): Promise<MirrorStratus> {
  const env = backendEnv();
  const suffix = randomUUID().slice(0, 8);
  const settings: Settings = shareStorageWith?.settings ?? {
    bucket: `stratus-mirror-${suffix}`,
    table: `stratus-mirror-${suffix}`,
    s3: { endpoint: env.s3.endpoint, region: env.s3.region, credentials: env.s3.credentials },
    dynamodb: { endpoint: env.dynamodb.endpoint, region: env.dynamodb.region, credentials: env.dynamodb.credentials },
    config: { ...defaultConfig, ...config },
    mirror: {},
  };
  await ensureStorage(settings);
  const logs: LogLine[] = [];
  const keep = (level: LogLine['level']) => (message: string, fields: Record<string, unknown> = {}) => void logs.push({ level, message, fields });
  const logger: Logger = { info: keep('info'), warn: keep('warn'), error: keep('error') };
  const deps = buildDeps({ ...settings, observeBackendCall }, logger);
  const server = createNodeServer(createRegistry(deps), logger);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const store = new DynamoDbMirrorStore(createDocumentClient(settings.dynamodb), settings.table);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    settings,
    deps,
    logs,
    addRule: (prefix, upstream, rule = {}) => store.putRule({
      prefix, upstream, tagTtlSeconds: DEFAULT_TAG_TTL_SECONDS, anonymousPull: true, createdAt: Date.now(), ...rule,
    }),
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A GET that follows the registry's 307 to storage (as clients do) and returns the bytes. */
export async function pullBlob(url: string, repo: string, digest: string): Promise<{ status: number; bytes: Buffer }> {
  const res = await fetch(`${url}/v2/${repo}/blobs/${digest}`, { redirect: 'manual' });
  if (res.status !== 307) return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
  const stored = await fetch(res.headers.get('location')!);
  return { status: stored.status, bytes: Buffer.from(await stored.arrayBuffer()) };
}

/** What a pulling client accepts. */
export const ACCEPT = [
  'application/vnd.oci.image.index.v1+json', 'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json', 'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** A manifest GET or HEAD through the registry. */
export async function manifestRequest(url: string, repo: string, reference: string, method = 'GET') {
  const res = await fetch(`${url}/v2/${repo}/manifests/${reference}`, { method, headers: { accept: ACCEPT } });
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, bytes, json: () => JSON.parse(bytes.toString('utf8')) };
}
