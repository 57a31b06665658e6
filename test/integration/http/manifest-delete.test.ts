/** DELETE /v2/:name/manifests/:ref, tag moves and multiple tags per PUT (?tag=). */
import { errorCodes, MT, sha256, uniqueRepo } from './client';
import { registryClientForThisFile } from './setup';

const client = registryClientForThisFile();

async function tagsOf(repo: string): Promise<string[]> {
  const res = await client.fetch(`/v2/${repo}/tags/list`);
  if (res.status !== 200) return [];
  return ((await res.json()) as { tags: string[] | null }).tags ?? [];
}

describe('PUT /v2/:name/manifests/:digest?tag=', () => {
  it('PUT /v2/:name/manifests/:digest?tag=a&tag=b -> 201; both tags resolve to the manifest', async () => {
    const repo = uniqueRepo('tagq');
    const image = await client.pushImage(repo); // pushed by digest, untagged
    const config = await client.pushBlob(repo, Buffer.from('{"x":1}'), MT.ociConfig);
    const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MT.ociManifest, config, layers: (image.doc as { layers: unknown[] }).layers }));
    const digest = sha256(bytes);

    const res = await client.fetch(`/v2/${repo}/manifests/${digest}?tag=a&tag=b`, {
      method: 'PUT',
      headers: { 'content-type': MT.ociManifest },
      body: bytes,
    });
    await res.arrayBuffer();

    expect(res.status).toBe(201);
    expect(res.headers.get('docker-content-digest')).toBe(digest);
    for (const tag of ['a', 'b']) {
      const get = await client.getManifest(repo, tag);
      expect(get.status).toBe(200);
      expect(get.headers.get('docker-content-digest')).toBe(digest);
      expect(Buffer.from(await get.arrayBuffer()).equals(bytes)).toBe(true);
    }
    expect(await tagsOf(repo)).toEqual(['a', 'b']);
  });
});

describe('PUT /v2/:name/manifests/:tag (tag moves)', () => {
  it('re-PUT of a tag to a new manifest moves the tag; the old manifest stays pullable by digest', async () => {
    const repo = uniqueRepo('tagmove');
    const first = await client.pushImage(repo, 'stable');

    const second = await client.pushImage(repo, 'stable');

    const get = await client.getManifest(repo, 'stable');
    expect(get.status).toBe(200);
    expect(get.headers.get('docker-content-digest')).toBe(second.digest);
    expect(Buffer.from(await get.arrayBuffer()).equals(second.bytes)).toBe(true);
    const old = await client.getManifest(repo, first.digest);
    expect(old.status).toBe(200);
    expect(Buffer.from(await old.arrayBuffer()).equals(first.bytes)).toBe(true);
    expect(await tagsOf(repo)).toEqual(['stable']);
  });

  it('concurrent PUTs of one tag: every PUT -> 201 and the tag ends on one of the pushed manifests', async () => {
    const repo = uniqueRepo('tagrace');
    const images = await Promise.all([1, 2, 3, 4, 5].map(() => client.pushImage(repo)));

    const results = await Promise.all(images.map((i) => client.putManifest(repo, 'race', i.bytes, MT.ociManifest)));
    await Promise.all(results.map((r) => r.arrayBuffer()));

    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    const get = await client.getManifest(repo, 'race');
    expect(get.status).toBe(200);
    const digest = get.headers.get('docker-content-digest');
    const winner = images.find((i) => i.digest === digest);
    expect(winner).toBeDefined();
    expect(Buffer.from(await get.arrayBuffer()).equals(winner!.bytes)).toBe(true);
    expect(await tagsOf(repo)).toEqual(['race']);
  });

  it('re-PUT of the same manifest under the same tag -> 201 and the same digest (idempotent)', async () => {
    const repo = uniqueRepo('tagsame');
    const first = await client.pushImage(repo, 'v1');

    const again = await client.putManifest(repo, 'v1', first.bytes, MT.ociManifest);
    await again.arrayBuffer();

    expect(again.status).toBe(201);
    expect(again.headers.get('docker-content-digest')).toBe(first.digest);
    expect(await tagsOf(repo)).toEqual(['v1']);
  });
});

describe('DELETE /v2/:name/manifests/:ref', () => {
  it('DELETE /v2/:name/manifests/:digest -> 202; GET by digest and by its tags -> 404 MANIFEST_UNKNOWN', async () => {
    const repo = uniqueRepo('mdel');
    const keep = await client.pushImage(repo, 'keep');
    const gone = await client.pushImage(repo, 'one');
    const put = await client.putManifest(repo, 'two', gone.bytes, MT.ociManifest);
    await put.arrayBuffer();
    expect(put.status).toBe(201);

    const del = await client.fetch(`/v2/${repo}/manifests/${gone.digest}`, { method: 'DELETE' });
    await del.arrayBuffer();

    expect(del.status).toBe(202);
    for (const ref of [gone.digest, 'one', 'two']) {
      const res = await client.getManifest(repo, ref);
      expect(res.status).toBe(404);
      expect(await errorCodes(res)).toContain('MANIFEST_UNKNOWN');
    }
    expect((await client.getManifest(repo, 'keep')).headers.get('docker-content-digest')).toBe(keep.digest);
    expect(await tagsOf(repo)).toEqual(['keep']);
  });

  it('DELETE /v2/:name/manifests/:tag -> 202 removes just the tag; the manifest and other tags remain', async () => {
    const repo = uniqueRepo('tagdel');
    const image = await client.pushImage(repo, 'a');
    await (await client.putManifest(repo, 'b', image.bytes, MT.ociManifest)).arrayBuffer();

    const del = await client.fetch(`/v2/${repo}/manifests/a`, { method: 'DELETE' });
    await del.arrayBuffer();

    expect(del.status).toBe(202);
    const gone = await client.getManifest(repo, 'a');
    expect(gone.status).toBe(404);
    expect(await errorCodes(gone)).toContain('MANIFEST_UNKNOWN');
    expect((await client.getManifest(repo, 'b')).status).toBe(200);
    expect((await client.getManifest(repo, image.digest)).status).toBe(200);
    expect(await tagsOf(repo)).toEqual(['b']);
  });

  it('DELETE /v2/:name/manifests/:digest -> 404 MANIFEST_UNKNOWN for an unknown digest', async () => {
    const repo = uniqueRepo('mdel-unknown');
    await client.pushImage(repo, 'v1');

    const res = await client.fetch(`/v2/${repo}/manifests/${sha256('never pushed')}`, { method: 'DELETE' });

    expect(res.status).toBe(404);
    expect(await errorCodes(res)).toContain('MANIFEST_UNKNOWN');
  });

  it('DELETE /v2/:name/manifests/:tag -> 404 MANIFEST_UNKNOWN for an unknown tag', async () => {
    const repo = uniqueRepo('tagdel-unknown');
    await client.pushImage(repo, 'v1');

    const res = await client.fetch(`/v2/${repo}/manifests/nope`, { method: 'DELETE' });

    expect(res.status).toBe(404);
    expect(await errorCodes(res)).toContain('MANIFEST_UNKNOWN');
  });

  it('a manifest deleted by digest can be pushed again and pulled', async () => {
    const repo = uniqueRepo('mdel-repush');
    const image = await client.pushImage(repo, 'v1');
    await (await client.fetch(`/v2/${repo}/manifests/${image.digest}`, { method: 'DELETE' })).arrayBuffer();

    const again = await client.putManifest(repo, 'v1', image.bytes, MT.ociManifest);
    await again.arrayBuffer();

    expect(again.status).toBe(201);
    const get = await client.getManifest(repo, 'v1');
    expect(get.status).toBe(200);
    expect(Buffer.from(await get.arrayBuffer()).equals(image.bytes)).toBe(true);
  });
});
