/** GET /v2/:name/tags/list and GET /v2/_catalog, with n/last pagination and Link headers. */
import { errorCodes, MT, uniqueRepo } from './client';
import { registryClientForThisFile } from './setup';

const client = registryClientForThisFile();

/** Pushes one image and tags it with every tag given. */
async function pushTags(repo: string, tags: string[]): Promise<void> {
  const image = await client.pushImage(repo);
  for (const tag of tags) {
    const res = await client.putManifest(repo, tag, image.bytes, MT.ociManifest);
    await res.arrayBuffer();
    expect(res.status).toBe(201);
  }
}

/** The URL in a `Link: <url>; rel="next"` header, or undefined. */
function nextLink(res: Response): string | undefined {
  const link = res.headers.get('link');
  if (!link) return undefined;
  const m = /^<([^>]+)>;\s*rel="?next"?$/.exec(link.trim());
  if (!m) throw new Error(`malformed Link header: ${link}`);
  return m[1];
}

describe('GET /v2/:name/tags/list', () => {
  it('GET /v2/:name/tags/list -> 200 {name, tags} sorted lexically', async () => {
    const repo = uniqueRepo('tags');
    await pushTags(repo, ['v2', 'latest', 'a', 'v10', '1.0', 'b_x', 'b-x']);

    const res = await client.fetch(`/v2/${repo}/tags/list`);

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('link')).toBeNull();
    const body = (await res.json()) as { name: string; tags: string[] };
    expect(body.name).toBe(repo);
    expect(body.tags).toEqual(['1.0', 'a', 'b-x', 'b_x', 'latest', 'v10', 'v2']);
  });

  it('GET /v2/:name/tags/list?n=2 -> 2 tags and Link: </v2/:name/tags/list?n=2&last=<tag>>; rel="next"', async () => {
    const repo = uniqueRepo('tags-page');
    await pushTags(repo, ['a', 'b', 'c', 'd', 'e']);

    const res = await client.fetch(`/v2/${repo}/tags/list?n=2`);

    expect(res.status).toBe(200);
    expect(((await res.json()) as { tags: string[] }).tags).toEqual(['a', 'b']);
    const next = nextLink(res);
    expect(next).toBeDefined();
    const url = new URL(next!, client.base);
    expect(url.pathname).toBe(`/v2/${repo}/tags/list`);
    expect(url.searchParams.get('n')).toBe('2');
    expect(url.searchParams.get('last')).toBe('b');
  });

  it('following Link headers from ?n=2 walks every tag once; the last page has no Link', async () => {
    const repo = uniqueRepo('tags-walk');
    const tags = ['a', 'b', 'c', 'd', 'e'];
    await pushTags(repo, tags);
    const seen: string[] = [];
    let url: string | undefined = `/v2/${repo}/tags/list?n=2`;
    let pages = 0;

    while (url && pages < 10) {
      const res = await client.fetch(url);
      expect(res.status).toBe(200);
      seen.push(...((await res.json()) as { tags: string[] }).tags);
      url = nextLink(res);
      pages++;
    }

    expect(seen).toEqual(tags);
    expect(pages).toBe(3);
  });

  it('GET /v2/:name/tags/list?n=2&last=b -> the two tags after b', async () => {
    const repo = uniqueRepo('tags-last');
    await pushTags(repo, ['a', 'b', 'c', 'd', 'e']);

    const res = await client.fetch(`/v2/${repo}/tags/list?n=2&last=b`);

    expect(res.status).toBe(200);
    expect(((await res.json()) as { tags: string[] }).tags).toEqual(['c', 'd']);
  });

  it('GET /v2/:name/tags/list?last=c (no n) -> every tag after c', async () => {
    const repo = uniqueRepo('tags-lastonly');
    await pushTags(repo, ['a', 'b', 'c', 'd', 'e']);

    const res = await client.fetch(`/v2/${repo}/tags/list?last=c`);

    expect(res.status).toBe(200);
    expect(((await res.json()) as { tags: string[] }).tags).toEqual(['d', 'e']);
  });

  it('GET /v2/:name/tags/list?n=0 -> 200 with an empty list and no Link', async () => {
    const repo = uniqueRepo('tags-zero');
    await pushTags(repo, ['a', 'b']);

    const res = await client.fetch(`/v2/${repo}/tags/list?n=0`);

    expect(res.status).toBe(200);
    expect(((await res.json()) as { tags: string[] | null }).tags ?? []).toEqual([]);
    expect(res.headers.get('link')).toBeNull();
  });

  it('GET /v2/:name/tags/list -> 404 NAME_UNKNOWN for a repository that does not exist', async () => {
    const res = await client.fetch(`/v2/${uniqueRepo('tags-none')}/tags/list`);

    expect(res.status).toBe(404);
    expect(await errorCodes(res)).toContain('NAME_UNKNOWN');
  });

  it('GET /v2/:name/tags/list on a nested name -> its own tags only', async () => {
    const parent = uniqueRepo('tags-nest');
    await pushTags(parent, ['parent']);
    await pushTags(`${parent}/child`, ['child']);

    const res = await client.fetch(`/v2/${parent}/child/tags/list`);

    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ name: `${parent}/child`, tags: ['child'] });
  });
});

/**
 * Whether names are in lexical order: plain code-unit order (`x`, `x-y`, `x/y`) or, as distribution
 * orders them, component-wise (`x`, `x/y`, `x-y`). The catalog endpoint predates the OCI spec, which does
 * not define it; either order is accepted, as long as it is consistent.
 */
function isLexical(names: string[]): boolean {
  const plain = [...names].sort();
  const byComponent = [...names].sort((a, b) => {
    const pa = a.split('/');
    const pb = b.split('/');
    for (let i = 0; i < Math.min(pa.length, pb.length); i++) if (pa[i] !== pb[i]) return pa[i] < pb[i] ? -1 : 1;
    return pa.length - pb.length;
  });
  return names.join('\n') === plain.join('\n') || names.join('\n') === byComponent.join('\n');
}

describe('GET /v2/_catalog', () => {
  /** Walks the whole catalog with page size n (optionally starting after `last`), collecting names. */
  async function walkCatalog(n: number, last?: string): Promise<string[]> {
    const names: string[] = [];
    let url: string | undefined = `/v2/_catalog?n=${n}${last ? `&last=${encodeURIComponent(last)}` : ''}`;
    for (let pages = 0; url && pages < 1000; pages++) {
      const res = await client.fetch(url);
      expect(res.status).toBe(200);
      const page = ((await res.json()) as { repositories: string[] }).repositories;
      expect(page.length).toBeLessThanOrEqual(n);
      names.push(...page);
      url = nextLink(res);
    }
    return names;
  }

  it('GET /v2/_catalog -> 200 {repositories} sorted, containing nested names like team/app/api', async () => {
    const prefix = uniqueRepo('catalog');
    const repos = [`${prefix}/team/app/api`, `${prefix}/team/app`, `${prefix}/web`];
    for (const r of repos) await pushTags(r, ['v1']);

    const res = await client.fetch('/v2/_catalog');

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const all = ((await res.json()) as { repositories: string[] }).repositories;
    expect(all).toEqual(expect.arrayContaining(repos));
    expect(isLexical(all)).toBe(true);
    expect(new Set(all).size).toBe(all.length);
  });

  it('GET /v2/_catalog?n=2&last=<x> -> 2 names after x and a Link to the next page', async () => {
    const prefix = uniqueRepo('catpage');
    const repos = [`${prefix}/a`, `${prefix}/b`, `${prefix}/c`];
    for (const r of repos) await pushTags(r, ['v1']);

    const res = await client.fetch(`/v2/_catalog?n=2&last=${encodeURIComponent(prefix)}`);

    expect(res.status).toBe(200);
    expect(((await res.json()) as { repositories: string[] }).repositories).toEqual([`${prefix}/a`, `${prefix}/b`]);
    const next = new URL(nextLink(res)!, client.base);
    expect(next.pathname).toBe('/v2/_catalog');
    expect(next.searchParams.get('n')).toBe('2');
    expect(next.searchParams.get('last')).toBe(`${prefix}/b`);
    const page2 = await client.fetch(next.toString());
    expect(((await page2.json()) as { repositories: string[] }).repositories[0]).toBe(`${prefix}/c`);
  });

  it('following catalog Link headers lists every repository once, in order; the last page has no Link', async () => {
    const prefix = uniqueRepo('catwalk');
    const repos = [`${prefix}/x/y/z`, `${prefix}/x`, `${prefix}/x-y`];
    for (const r of repos) await pushTags(r, ['v1']);

    const names = await walkCatalog(2);

    expect(names).toEqual(expect.arrayContaining(repos));
    expect(isLexical(names)).toBe(true);
    expect(new Set(names).size).toBe(names.length);
  });
});
