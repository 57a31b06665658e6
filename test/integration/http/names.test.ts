/** Repository names (nested, invalid) and tag names (valid limits, invalid). */
import { codesOf, errorCodes, MT, randomBytes, rawRequest, sha256, uniqueRepo } from './client';
import { registryClientForThisFile } from './setup';

const client = registryClientForThisFile();

/** An invalid name is refused: 400 NAME_INVALID, or 404 (the route does not match). */
function expectNameRefused(status: number, codes: string[]): void {
  expect([400, 404]).toContain(status);
  if (status === 400) expect(codes).toContain('NAME_INVALID');
}

describe('nested repository names', () => {
  it('a nested name a/b/c: push blob, push manifest, pull both, list tags', async () => {
    const repo = `${uniqueRepo('names')}/b/c`;
    const bytes = randomBytes(700);

    const blob = await client.pushBlob(repo, bytes);
    const image = await client.pushImage(repo, 'v1');

    expect((await client.pullBlobBytes(repo, blob.digest)).equals(bytes)).toBe(true);
    const get = await client.getManifest(repo, 'v1');
    expect(get.status).toBe(200);
    expect(get.headers.get('docker-content-digest')).toBe(image.digest);
    const tags = await client.fetch(`/v2/${repo}/tags/list`);
    expect(await tags.json()).toEqual({ name: repo, tags: ['v1'] });
  });

  it('names with separators . _ __ - and digits are valid', async () => {
    const repo = `${uniqueRepo('names')}/my.app_v2__x-y/0`;

    const blob = await client.pushBlob(repo, Buffer.from('x'));

    expect((await client.fetch(`/v2/${repo}/blobs/${blob.digest}`, { method: 'HEAD' })).status).toBe(200);
  });

  it('a name of exactly 255 characters is valid', async () => {
    const head = uniqueRepo('names');
    const repo = `${head}/${'a'.repeat(255 - head.length - 1)}`;
    expect(repo).toHaveLength(255);

    const blob = await client.pushBlob(repo, Buffer.from('x'));

    expect((await client.fetch(`/v2/${repo}/blobs/${blob.digest}`, { method: 'HEAD' })).status).toBe(200);
  });
});

describe('invalid repository names -> 400 NAME_INVALID or 404', () => {
  const id = uniqueRepo('bad');
  it.each([
    ['uppercase letters', `${id}/MyApp`],
    ['a double dot inside a component', `${id}/a..b`],
    ['a component starting with a separator', `${id}/-app`],
    ['a component ending with a separator', `${id}/app_`],
    ['an empty component (double slash)', `${id}//app`],
    ['a trailing slash', `${id}/app/`],
    ['an encoded slash (%2F)', `${id}%2Fapp`],
    ['a character outside [a-z0-9._-]', `${id}/app@x`],
    ['more than 255 characters', `${id}/${'a'.repeat(256)}`],
  ])('POST /v2/:name/blobs/uploads/ with %s', async (_why, name) => {
    const res = await client.fetch(`/v2/${name}/blobs/uploads/?digest=${sha256('x')}`, { method: 'POST', body: 'x' });

    expectNameRefused(res.status, await errorCodes(res));
  });

  it.each([
    ['uppercase letters', `${id}/MyApp`],
    ['more than 255 characters', `${id}/${'a'.repeat(256)}`],
  ])('PUT /v2/:name/manifests/:ref with %s', async (_why, name) => {
    const res = await client.putManifest(name, 'v1', JSON.stringify({ schemaVersion: 2, mediaType: MT.ociIndex, manifests: [] }), MT.ociIndex);

    expectNameRefused(res.status, await errorCodes(res));
  });

  it('GET /v2/:name/tags/list with an uppercase name -> 400 NAME_INVALID or 404', async () => {
    const res = await client.fetch(`/v2/${id}/UPPER/tags/list`);

    expectNameRefused(res.status, await errorCodes(res));
  });

  it.each([
    ['a `..` path segment', `/v2/${id}/../x/blobs/uploads/`],
    ['a `.` path segment', `/v2/${id}/./x/blobs/uploads/`],
    ['an encoded `..` segment', `/v2/${id}/%2e%2e/x/blobs/uploads/`],
  ])('POST with %s in the name (sent raw) -> 400 NAME_INVALID or 404', async (_why, path) => {
    const res = await rawRequest(client.base, 'POST', path);

    expectNameRefused(res.status, codesOf(res.body));
  });
});

describe('tag names', () => {
  async function pushIndexAt(repo: string, tag: string): Promise<Response> {
    return client.putManifest(repo, tag, JSON.stringify({ schemaVersion: 2, mediaType: MT.ociIndex, manifests: [] }), MT.ociIndex);
  }

  it('PUT /v2/:name/manifests/:tag with a 128-character tag of [A-Za-z0-9_.-] -> 201', async () => {
    const repo = uniqueRepo('tagname');
    const tag = `A_b.C-${'x'.repeat(122)}`;
    expect(tag).toHaveLength(128);

    const res = await pushIndexAt(repo, tag);
    await res.arrayBuffer();

    expect(res.status).toBe(201);
    expect((await client.getManifest(repo, tag)).status).toBe(200);
  });

  it.each([
    ['starting with `.`', '.hidden'],
    ['starting with `-`', '-dash'],
    ['longer than 128 characters', `t${'x'.repeat(128)}`],
  ])('PUT /v2/:name/manifests/:tag with a tag %s -> 400 (MANIFEST_INVALID or TAG_INVALID)', async (_why, tag) => {
    const repo = uniqueRepo('tagname-bad');

    const res = await pushIndexAt(repo, tag);

    expect(res.status).toBe(400);
    expect(await errorCodes(res)).toEqual(expect.arrayContaining([expect.stringMatching(/^(MANIFEST_INVALID|TAG_INVALID)$/)]));
  });
});
