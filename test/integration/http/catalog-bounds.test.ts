/**
 * GET /v2/_catalog for a user who may see few of many repositories: each request examines a bounded
 * number of names (short pages with a Link to continue), and following the Links yields exactly the
 * permitted repositories, with no hidden name in any answer.
 */
import { DynamoDbMetadataStore } from '../../../lambda/adapters/dynamodb/dynamodb-metadata-store';
import { createDocumentClient } from '../../../lambda/adapters/dynamodb/table';
import type { Backend } from '../../../lambda/hosts/backend-calls';
import { startTestRegistry, TestRegistry } from '../harness';
import { addUser, basic, bearer, getToken } from './auth-helpers';
import { errorCodes, RegistryClient, sha256, uniqueRepo } from './client';

const REPOSITORIES = 2000;
const SCAN_LIMIT = 500;
const prefix = uniqueRepo('many');
const names = Array.from({ length: REPOSITORIES }, (_, i) => `${prefix}/r${String(i).padStart(4, '0')}`);
// 10 of 2,000, spread out: most requests find nothing near where they start.
const granted = names.filter((_, i) => i % 200 === 199);

let registry: TestRegistry;
let client: RegistryClient;
let token: string;
const dynamodbCalls: string[] = [];

beforeAll(async () => {
  registry = await startTestRegistry({
    auth: {}, config: { catalogScanLimit: SCAN_LIMIT },
    observeBackendCall: (backend: Backend, command: string) => { if (backend === 'dynamodb') dynamodbCalls.push(command); },
  });
  client = new RegistryClient(registry.url);
  // The repositories straight through the metadata store: 2,000 pushes over HTTP would take minutes.
  const meta = new DynamoDbMetadataStore(createDocumentClient(registry.settings!.dynamodb), registry.settings!.table);
  const blob = { digest: sha256('x'), size: 1, objectKey: 'blobs/x' };
  await meta.createBlob(blob, Date.now());
  for (let i = 0; i < names.length; i += 50) await Promise.all(names.slice(i, i + 50).map((name) => meta.linkBlob(name, blob, Date.now())));
  await addUser(registry.auth!.store, 'viewer', 'viewer-pw', granted.map((pattern) => ({ pattern, actions: ['pull'] })), { catalog: true });
  await addUser(registry.auth!.store, 'root', 'root-pw', [], { admin: true });
  token = await getToken(client, basic('viewer', 'viewer-pw'), ['registry:catalog:*']);
}, 120_000);
afterAll(async () => registry?.stop());

/** Follows Link headers from `first`; each page's names, Link and DynamoDB calls. */
async function walk(first: string, headers: Record<string, string>) {
  const pages: Array<{ names: string[]; link: string | null; calls: number }> = [];
  let url: string | undefined = first;
  while (url && pages.length < 100) {
    dynamodbCalls.length = 0;
    const res = await client.fetch(url, { headers });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { repositories: string[] };
    const link = res.headers.get('link');
    pages.push({ names: body.repositories, link, calls: dynamodbCalls.length });
    url = link ? /^<([^>]+)>; rel="next"$/.exec(link)![1] : undefined;
  }
  return pages;
}

describe('GET /v2/_catalog for a user granted 10 of 2,000 repositories', () => {
  it.each([1, 3, 100])('?n=%i: every request makes at most 2 DynamoDB reads; following Link yields exactly the 10, in order', async (n) => {
    const pages = await walk(`/v2/_catalog?n=${n}`, bearer(token));

    expect(pages.flatMap((p) => p.names)).toEqual(granted);
    for (const page of pages) {
      expect(page.names.length).toBeLessThanOrEqual(n);
      expect(page.calls).toBeLessThanOrEqual(2);
    }
    expect(pages.length).toBeLessThanOrEqual(Math.ceil(REPOSITORIES / SCAN_LIMIT) + granted.length);
  });

  it('no page body or Link names a repository the user may not see', async () => {
    const pages = await walk('/v2/_catalog?n=5', bearer(token));
    const hidden = names.filter((name) => !granted.includes(name));

    const shown = JSON.stringify(pages.map((p) => [p.names, p.link]));
    expect(pages.some((p) => p.names.length < 5 && p.link)).toBe(true);
    expect(hidden.filter((name) => shown.includes(name))).toEqual([]);
  });

  it('a continuation that was tampered with -> 400 PAGINATION_NUMBER_INVALID', async () => {
    const first = (await walk('/v2/_catalog?n=5', bearer(token)))[0]!;
    const cursor = new URL(/^<([^>]+)>/.exec(first.link!)![1]!, registry.url).searchParams.get('last')!;
    const tampered = cursor.slice(0, -2) + (cursor.endsWith('AA') ? 'BB' : 'AA');

    const res = await client.fetch(`/v2/_catalog?n=5&last=${encodeURIComponent(tampered)}`, { headers: bearer(token) });
    expect(res.status).toBe(400);
    expect(await errorCodes(res)).toEqual(['PAGINATION_NUMBER_INVALID']);
  });

  it('an administrator, who sees everything, pages through all 2,000 with ?n=1000 in 2 full pages and plain names in the Link', async () => {
    const pages = await walk('/v2/_catalog?n=1000', basic('root', 'root-pw'));

    expect(pages.flatMap((p) => p.names)).toEqual(names);
    expect(pages.map((p) => p.names.length)).toEqual([1000, 1000]);
    expect(pages[0]!.link).toContain(`last=${encodeURIComponent(names[999]!)}`);
  });
});
