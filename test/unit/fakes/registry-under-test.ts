import { createHash } from 'node:crypto';
import { defaultConfig, RegistryConfig } from '../../../lambda/core/config';
import type { RegistryHandler, RegistryResponse } from '../../../lambda/shared/http-types';
import { silentLogger } from '../../../lambda/shared/logger';
import { createRegistry } from '../../../lambda/core/registry';
import { MemoryBlobStore } from './memory-blob-store';
import { MemoryMetadataStore } from './memory-metadata-store';
import { MemoryPolicyStore } from './memory-policy-store';

/** A registry core on in-memory fakes, with a helper to send requests to it. */
export function registryOnFakes(config: Partial<RegistryConfig> = {}) {
  const merged = { ...defaultConfig, ...config };
  const blobs = new MemoryBlobStore(merged.minPartSize);
  const meta = new MemoryMetadataStore();
  const policies = new MemoryPolicyStore();
  const deps = { blobs, meta, policies, logger: silentLogger, config: merged, now: Date.now };
  const registry = createRegistry(deps);
  return { blobs, meta, policies, deps, registry, send: sender(registry), restart: () => sender(createRegistry(deps)) };
}

/** Options of one request to the core. */
export interface SendOptions {
  headers?: Record<string, string>;
  body?: Uint8Array | Uint8Array[];
}

/** Sends a request (path may carry a query) and returns the response with its body as text. */
export function sender(registry: RegistryHandler) {
  return async (method: string, url: string, opts: SendOptions = {}): Promise<RegistryResponse & { text: string; json: () => any }> => {
    const [path, query = ''] = url.split('?', 2) as [string, string?];
    const chunks = opts.body === undefined ? undefined : Array.isArray(opts.body) ? opts.body : [opts.body];
    const res = await registry({
      method, path, query: new URLSearchParams(query), requestId: 'test-request',
      headers: Object.fromEntries(Object.entries(opts.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
      body: chunks ? (async function* () { yield* chunks; })() : undefined,
    });
    const text = res.body ? Buffer.from(res.body).toString('utf8') : '';
    return { ...res, text, json: () => JSON.parse(text) };
  };
}

/** The sha256 digest string of bytes. */
export function sha256(data: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}
