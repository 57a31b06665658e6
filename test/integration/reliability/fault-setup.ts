/**
 * A registry of one test file's own whose S3 and DynamoDB sit behind TCP proxies the tests break and heal,
 * with short SDK timeouts (a stalled backend answers 503 in seconds), SDK command triggers ("when the
 * registry sends CompleteMultipartUpload, cut DynamoDB") and the invariants every fault must leave true.
 */
import type { Backend } from '../../../lambda/hosts/backend-calls';
import { backendEnv } from '../backend-env';
import { startTestRegistry, TestRegistry, TestRegistryOptions } from '../harness';
import { ACCEPT_MANIFESTS, errorCodes, RegistryClient, sha256 } from '../http/client';
import { TcpProxy } from './tcp-proxy';

/** What a fault test drives: the client, both proxies, and triggers on the registry's SDK commands. */
export interface FaultyRegistry {
  client: RegistryClient;
  s3: TcpProxy;
  dynamodb: TcpProxy;
  registry(): TestRegistry;
  /** Runs `action` once, when the registry next sends `command` to `backend` (after `skip` earlier ones). */
  when(backend: Backend, command: string, action: () => void, skip?: number): void;
  /** Every command sent since the last reset, as "backend:Command". */
  calls: string[];
}

/** Idle and connect timeouts of the registry's SDK clients in these tests (production: seconds to tens). */
export const FAULT_TIMEOUTS = { connectMs: 1_000, idleMs: 2_000 };

/**
 * Starts fresh proxies and a registry behind them before each test, and stops them after it. Per test,
 * not per file: the SDK clients keep a retry quota (each failed attempt spends 5 or 10 of 500 tokens)
 * that the outages of one test would otherwise leave drained for the next, whose first stale
 * keep-alive connection after a heal would then not be retried.
 */
export function faultyRegistryForEachTest(opts: TestRegistryOptions = {}): FaultyRegistry {
  const triggers: Array<{ key: string; skip: number; action: () => void }> = [];
  let registry: TestRegistry | undefined;
  const state: FaultyRegistry = {
    client: new RegistryClient('http://registry-not-started-yet'),
    s3: undefined as unknown as TcpProxy,
    dynamodb: undefined as unknown as TcpProxy,
    registry: () => registry!,
    calls: [],
    when: (backend, command, action, skip = 0) => triggers.push({ key: `${backend}:${command}`, skip, action }),
  };
  const observe = (backend: Backend, command: string) => {
    const key = `${backend}:${command}`;
    state.calls.push(key);
    for (const t of [...triggers]) {
      if (t.key !== key) continue;
      if (t.skip-- > 0) continue;
      triggers.splice(triggers.indexOf(t), 1);
      t.action();
    }
  };
  beforeEach(async () => {
    const env = backendEnv();
    state.s3 = await TcpProxy.start(env.s3.endpoint);
    state.dynamodb = await TcpProxy.start(env.dynamodb.endpoint);
    registry = await startTestRegistry({
      ...opts,
      observeBackendCall: observe,
      backends: { s3Endpoint: state.s3.url, dynamodbEndpoint: state.dynamodb.url, timeouts: FAULT_TIMEOUTS },
    });
    state.client.base = registry.url;
  });
  afterEach(async () => {
    triggers.length = 0;
    state.calls.length = 0;
    await registry?.stop();
    await state.s3?.stop();
    await state.dynamodb?.stop();
  });
  return state;
}

/** Asserts a backend-fault answer: 503 UNAVAILABLE with Retry-After (what clients retry on); HEAD has no body. */
export async function expectUnavailable(res: Response, head = false): Promise<void> {
  const codes = await errorCodes(res);
  expect({ status: res.status, codes, retryAfter: res.headers.get('retry-after') !== null })
    .toEqual({ status: 503, codes: head ? [] : ['UNAVAILABLE'], retryAfter: true });
}

/**
 * Asserts that a blob the registry shows (HEAD 200) has exactly the bytes of its digest and the size it
 * announces; returns whether it is visible.
 */
export async function expectBlobTrueIfVisible(client: RegistryClient, repo: string, digest: string): Promise<boolean> {
  const head = await client.fetch(`/v2/${repo}/blobs/${digest}`, { method: 'HEAD' });
  await head.arrayBuffer();
  if (head.status === 404) return false;
  expect(head.status).toBe(200);
  const bytes = await client.pullBlobBytes(repo, digest);
  expect({ digest: sha256(bytes), size: bytes.length }).toEqual({ digest, size: Number(head.headers.get('content-length')) });
  return true;
}

/** Asserts that every tag of the repository resolves to a manifest whose blobs are all there and true. */
export async function expectTagsComplete(client: RegistryClient, repo: string): Promise<string[]> {
  const res = await client.fetch(`/v2/${repo}/tags/list`);
  const tags = res.status === 200 ? ((await res.json()) as { tags?: string[] }).tags ?? [] : (await res.arrayBuffer(), []);
  for (const tag of tags) {
    const m = await client.fetch(`/v2/${repo}/manifests/${tag}`, { headers: { accept: ACCEPT_MANIFESTS } });
    expect(m.status).toBe(200);
    const doc = (await m.json()) as { config?: { digest: string }; layers?: Array<{ digest: string }> };
    for (const d of [doc.config, ...(doc.layers ?? [])]) {
      if (d) expect(await expectBlobTrueIfVisible(client, repo, d.digest)).toBe(true);
    }
  }
  return tags;
}

/** The Range header of an upload's status (GET), asserting it answers 204. */
export async function uploadRange(client: RegistryClient, url: string): Promise<string | null> {
  const res = await client.fetch(url);
  await res.arrayBuffer();
  expect(res.status).toBe(204);
  return res.headers.get('range');
}

/** The offset a client continues at, from a Range header `0-<last>` (0 for `0-0` on an empty session). */
export function nextOffset(range: string | null, sessionEmpty = false): number {
  const m = /^0-(\d+)$/.exec(range ?? '');
  if (!m) throw new Error(`bad Range ${range}`);
  return sessionEmpty ? 0 : Number(m[1]) + 1;
}
