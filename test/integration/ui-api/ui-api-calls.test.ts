/** What a page of the UI costs in backend calls, counted at the AWS SDK: a 2,000-tag repository stays cheap. */
import type { Backend } from '../../../lambda/hosts/backend-calls';
import { startTestRegistry, TestRegistry } from '../harness';
import { addUser, basic, getToken } from '../http/auth-helpers';
import { RegistryClient, uniqueRepo } from '../http/client';
import { pushPlatformImage, qs, ui, UiAnswer } from './ui-fixtures';

const TAGS = 2000;
const MANIFESTS = 20;
/** Tags a PUT names with ?tag= (the URL stays well under Node's 16 KiB header limit). */
const TAGS_PER_PUT = 100;

/** A registry whose S3 and DynamoDB calls are counted, and a repository of 2,000 tags over 20 images. */
function countedRegistry(opts: { auth: boolean }) {
  const calls: Array<{ backend: Backend; command: string }> = [];
  const state = { registry: undefined as TestRegistry | undefined, client: undefined as RegistryClient | undefined, token: undefined as string | undefined };
  const repo = uniqueRepo('ui-calls');
  beforeAll(async () => {
    state.registry = await startTestRegistry({ auth: opts.auth ? {} : undefined, observeBackendCall: (backend, command) => calls.push({ backend, command }) });
    const client = new RegistryClient(state.registry.url);
    state.client = client;
    let pusher = client;
    if (opts.auth) {
      await addUser(state.registry.auth!.store, 'viewer', 'viewer-pw', [{ pattern: repo, actions: ['pull'] }]);
      await addUser(state.registry.auth!.store, 'root', 'root-pw', [], { admin: true });
      state.token = await getToken(client, basic('viewer', 'viewer-pw'), []);
      pusher = new (class extends RegistryClient {
        override fetch(p: string, init: RequestInit = {}) {
          return super.fetch(p, { ...init, headers: { ...(init.headers as Record<string, string>), ...basic('root', 'root-pw') } });
        }
      })(state.registry.url);
    }
    for (let m = 0; m < MANIFESTS; m++) {
      const image = await pushPlatformImage(pusher, repo, undefined, m % 2 ? 'linux/arm64/v8' : 'linux/amd64', {}, 1);
      const perManifest = TAGS / MANIFESTS;
      for (let start = 0; start < perManifest; start += TAGS_PER_PUT) {
        const tags = Array.from({ length: Math.min(TAGS_PER_PUT, perManifest - start) }, (_, i) => `v${String(m * perManifest + start + i).padStart(4, '0')}`);
        const query = tags.slice(1).map((t) => `tag=${t}`).join('&');
        const res = await pusher.fetch(`/v2/${repo}/manifests/${tags[0]}?${query}`, { method: 'PUT', headers: { 'content-type': image.mediaType }, body: image.bytes });
        if (res.status !== 201) throw new Error(`PUT ${tags[0]}: ${res.status} ${await res.text()}`);
      }
    }
  }, 180_000);
  afterAll(async () => state.registry?.stop());

  /** Runs one UI API call and returns its answer with the DynamoDB and S3 commands it sent. */
  const counted = async (path: string) => {
    calls.length = 0;
    const res: UiAnswer = await ui(state.client!, 'GET', path, { token: state.token });
    const by = (b: Backend) => calls.filter((c) => c.backend === b).map((c) => c.command);
    return { res, dynamodb: by('dynamodb'), s3: by('s3') };
  };
  return { repo, counted };
}

describe.each([{ auth: false }, { auth: true }])('a page of 100 tags of a 2,000-tag repository (auth %p)', ({ auth }) => {
  const { repo, counted } = countedRegistry({ auth });

  it('costs at most 3 DynamoDB requests (no manifest or blob read per row) and no S3 request, on every page', async () => {
    const first = await counted(`tags?${qs({ repository: repo, n: 100 })}`);
    const middle = await counted(`tags?${qs({ repository: repo, n: 100, last: 'v0999' })}`);
    const lastPage = await counted(`tags?${qs({ repository: repo, n: 100, last: 'v1899' })}`);

    for (const page of [first, middle, lastPage]) {
      expect(page.res.status).toBe(200);
      expect(page.res.body.tags).toHaveLength(100);
      expect(page.dynamodb.length).toBeLessThanOrEqual(3);
      expect(page.dynamodb.filter((c) => c === 'QueryCommand')).toHaveLength(1);
      expect(page.dynamodb.filter((c) => c === 'BatchGetItemCommand')).toHaveLength(1);
      expect(page.s3).toEqual([]);
    }
    expect(first.res.body.tags[0]).toMatchObject({ tag: 'v0000', platforms: ['linux/amd64'], size: expect.any(Number), pushedAt: expect.any(Number) });
    expect(middle.res.body.tags[0]).toMatchObject({ tag: 'v1000', platforms: ['linux/amd64'] });
    expect(middle.res.body.tags[99]).toMatchObject({ tag: 'v1099' });
    expect(first.res.body.next).toBe('v0099');
    expect(lastPage.res.body.next).toBeNull();
    const ms: number[] = [];
    for (let i = 0; i < 9; i++) {
      const started = performance.now();
      await counted(`tags?${qs({ repository: repo, n: 100, last: `v${String(i * 200 + 99).padStart(4, '0')}` })}`);
      ms.push(performance.now() - started);
    }
    ms.sort((a, b) => a - b);
    console.log(`UI tags page (auth ${auth}): ${JSON.stringify({ first: first.dynamodb, middle: middle.dynamodb, last: lastPage.dynamodb })}; `
      + `a page answered in ${ms[4]!.toFixed(0)} ms median, ${ms[8]!.toFixed(0)} ms slowest of 9 (DynamoDB Local)`);
  });

  it('a search (q) over the 2,000 tags: one BatchGet for the page, no manifest or blob read per row', async () => {
    const search = await counted(`tags?${qs({ repository: repo, q: '99' })}`);

    expect(search.res.body.tags.map((t: { tag: string }) => t.tag)).toEqual(
      Array.from({ length: TAGS }, (_, i) => `v${String(i).padStart(4, '0')}`).filter((t) => t.includes('99')),
    );
    expect(search.dynamodb.filter((c) => c === 'BatchGetItemCommand')).toHaveLength(1);
    expect(search.s3).toEqual([]);
    console.log(`UI tag search over ${TAGS} tags (auth ${auth}): ${search.dynamodb.length} DynamoDB requests`);
  });
});
