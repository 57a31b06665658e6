/**
 * Tags list and catalog of a repository with many tags: the tags are set up first (timed: one manifest
 * PUT per tag, 8 at a time), then complete listings are timed one after another, following `Link`
 * pagination when a registry pages its answer.
 */
import { randomBytes } from 'node:crypto';
import { OCI_CONFIG, OCI_LAYER, OCI_MANIFEST } from './settings';
import { sha256 } from './image';
import { http, pushBlob } from './registry-client';
import { round } from './stats';

/** What the listings measured. */
export interface Listings {
  tags: number;
  setupSeconds: number;
  /** Milliseconds per complete listing, one per listing. */
  tagsListMs: number[];
  catalogMs: number[];
  /** Requests one complete listing took (1 = not paginated). */
  tagsListPages: number;
  catalogPages: number;
  catalogEntries: number;
}

/** Pushes a small image and tags it `count` times in `repo`; returns the seconds it took. */
export async function setUpTags(base: string, repo: string, count: number): Promise<number> {
  const t0 = performance.now();
  const layer = randomBytes(1024);
  const config = Buffer.from('{"architecture":"amd64","os":"linux"}');
  await pushBlob(base, repo, sha256(layer), layer.length, { body: layer });
  await pushBlob(base, repo, sha256(config), config.length, { body: config });
  const manifest = JSON.stringify({
    schemaVersion: 2, mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: sha256(config), size: config.length },
    layers: [{ mediaType: OCI_LAYER, digest: sha256(layer), size: layer.length }],
  });
  let next = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next < count) {
      const tag = `t${String(next++).padStart(4, '0')}`;
      const res = await http(`${base}/v2/${repo}/manifests/${tag}`, { method: 'PUT', body: manifest, headers: { 'content-type': OCI_MANIFEST } });
      if (res.status !== 201) throw new Error(`PUT manifest ${tag}: ${res.status}`);
    }
  }));
  return round((performance.now() - t0) / 1000, 2);
}

/** GETs a listing and every page its Link headers point to; the entries of `field` and the pages read. */
export async function listAll(base: string, path: string, field: 'tags' | 'repositories'): Promise<{ entries: string[]; pages: number }> {
  const entries: string[] = [];
  let url: string | undefined = `${base}${path}`;
  let pages = 0;
  while (url) {
    const res = await http(url, { method: 'GET', keep: true });
    if (res.status !== 200) throw new Error(`GET ${url}: ${res.status}`);
    pages++;
    entries.push(...(((JSON.parse(res.body!.toString()) as Record<string, string[] | null>)[field]) ?? []));
    const link = /<([^>]+)>;\s*rel="?next"?/.exec(String(res.headers.link ?? ''));
    url = link ? new URL(link[1]!, base).toString() : undefined;
  }
  return { entries, pages };
}

/** Sets up `count` tags in `repo`, then times `times` complete tags lists and catalogs. */
export async function measureListings(base: string, repo: string, count: number, times: number): Promise<Listings> {
  const setupSeconds = await setUpTags(base, repo, count);
  const out: Listings = { tags: count, setupSeconds, tagsListMs: [], catalogMs: [], tagsListPages: 0, catalogPages: 0, catalogEntries: 0 };
  await listAll(base, `/v2/${repo}/tags/list`, 'tags'); // warm-up
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    const { entries, pages } = await listAll(base, `/v2/${repo}/tags/list`, 'tags');
    out.tagsListMs.push(round(performance.now() - t0, 2));
    if (entries.length !== count) throw new Error(`tags list of ${repo}: ${entries.length} tags, expected ${count}`);
    out.tagsListPages = pages;
  }
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    const { entries, pages } = await listAll(base, '/v2/_catalog', 'repositories');
    out.catalogMs.push(round(performance.now() - t0, 2));
    if (!entries.includes(repo)) throw new Error(`catalog lacks ${repo}`);
    out.catalogPages = pages;
    out.catalogEntries = entries.length;
  }
  return out;
}

/** A complete tags list of a large repository, read in pages of `pageSize` (`?n=`), Link pages followed. */
export interface PagedTagsList { tags: number; pageSize: number; pages: number; setupSeconds: number; ms: number[] }

/** Sets up `count` tags in `repo`, then times `times` complete tags lists asked for in pages of `pageSize`. */
export async function measurePagedTagsList(base: string, repo: string, count: number, times: number, pageSize: number): Promise<PagedTagsList> {
  const setupSeconds = await setUpTags(base, repo, count);
  const out: PagedTagsList = { tags: count, pageSize, pages: 0, setupSeconds, ms: [] };
  const path = `/v2/${repo}/tags/list?n=${pageSize}`;
  await listAll(base, path, 'tags'); // warm-up
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    const { entries, pages } = await listAll(base, path, 'tags');
    out.ms.push(round(performance.now() - t0, 2));
    if (new Set(entries).size !== count) throw new Error(`tags list of ${repo} in pages of ${pageSize}: ${new Set(entries).size} distinct tags, expected ${count}`);
    out.pages = pages;
  }
  return out;
}
