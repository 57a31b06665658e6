/** Immutable tags through the core on fakes: what a client sees when it moves or deletes one. */
import type { TagMutability } from '../../../../lambda/ports/policy-store';
import { registryOnFakes, sha256 } from '../../fakes/registry-under-test';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

async function setUp(pattern: string, mode: TagMutability, exclusions?: string[]) {
  const reg = registryOnFakes();
  await reg.policies.putImmutability({ pattern, mode, exclusions, updatedAt: 0 });
  const config = Buffer.from('{}');
  const uploaded = await reg.send('POST', `/v2/team/app/blobs/uploads/?digest=${sha256(config)}`, { body: config });
  expect(uploaded.status).toBe(201);
  /** A distinct image manifest per `n` (an annotation differs), naming the one config blob. */
  const manifest = (n: number) => Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: OCI_MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
    layers: [], annotations: { n: String(n) },
  }));
  const put = (ref: string, body: Buffer) => reg.send('PUT', `/v2/team/app/manifests/${ref}`, { headers: { 'content-type': OCI_MANIFEST }, body });
  return { ...reg, manifest, put };
}

describe('immutable tags (core on fakes)', () => {
  it('PUT of another digest to an immutable tag -> 403 DENIED naming tag, repository and rule; the tag keeps its digest', async () => {
    const { put, manifest, send } = await setUp('team/*', 'IMMUTABLE');
    expect((await put('v1', manifest(1))).status).toBe(201);
    const moved = await put('v1', manifest(2));
    expect(moved.status).toBe(403);
    expect(moved.json().errors[0]).toMatchObject({
      code: 'DENIED', message: 'tag v1 in team/app is immutable (rule team/*: IMMUTABLE); push a new tag instead',
    });
    const got = await send('GET', '/v2/team/app/manifests/v1');
    expect(got.headers['docker-content-digest']).toBe(sha256(manifest(1)));
  });

  it('re-PUT of the same digest to an immutable tag -> 201; a new tag -> 201', async () => {
    const { put, manifest } = await setUp('team/app', 'IMMUTABLE');
    expect((await put('v1', manifest(1))).status).toBe(201);
    expect((await put('v1', manifest(1))).status).toBe(201);
    expect((await put('v2', manifest(2))).status).toBe(201);
  });

  it('IMMUTABLE_WITH_EXCLUSION: excluded tags move, the others do not', async () => {
    const { put, manifest } = await setUp('*', 'IMMUTABLE_WITH_EXCLUSION', ['dev-*', 'latest']);
    for (const tag of ['latest', 'dev-1', 'v1']) expect((await put(tag, manifest(1))).status).toBe(201);
    expect((await put('latest', manifest(2))).status).toBe(201);
    expect((await put('dev-1', manifest(2))).status).toBe(201);
    expect((await put('v1', manifest(2))).status).toBe(403);
  });

  it('MUTABLE_WITH_EXCLUSION: only tags matching a filter are immutable', async () => {
    const { put, manifest } = await setUp('team/app', 'MUTABLE_WITH_EXCLUSION', ['v*']);
    for (const tag of ['latest', 'v1']) expect((await put(tag, manifest(1))).status).toBe(201);
    expect((await put('latest', manifest(2))).status).toBe(201);
    const moved = await put('v1', manifest(2));
    expect(moved.status).toBe(403);
    expect(moved.json().errors[0].message).toContain('(rule team/app: MUTABLE_WITH_EXCLUSION (exclusions: v*))');
  });

  it('a more specific MUTABLE rule overrides a broader IMMUTABLE one', async () => {
    const reg = await setUp('*', 'IMMUTABLE');
    await reg.policies.putImmutability({ pattern: 'team/app', mode: 'MUTABLE', updatedAt: 0 });
    expect((await reg.put('v1', reg.manifest(1))).status).toBe(201);
    expect((await reg.put('v1', reg.manifest(2))).status).toBe(201);
  });

  it('DELETE of an immutable tag -> 403 DENIED; of an unknown one -> 404; of an excluded one -> 202', async () => {
    const { put, manifest, send } = await setUp('team/*', 'IMMUTABLE_WITH_EXCLUSION', ['dev-*']);
    await put('v1', manifest(1));
    await put('dev-1', manifest(1));
    const denied = await send('DELETE', '/v2/team/app/manifests/v1');
    expect([denied.status, denied.json().errors[0].code]).toEqual([403, 'DENIED']);
    expect(denied.json().errors[0].message).toBe('tag v1 in team/app is immutable (rule team/*: IMMUTABLE_WITH_EXCLUSION (exclusions: dev-*)); it cannot be deleted while the rule applies');
    expect((await send('DELETE', '/v2/team/app/manifests/v9')).status).toBe(404);
    expect((await send('DELETE', '/v2/team/app/manifests/dev-1')).status).toBe(202);
    expect((await send('GET', '/v2/team/app/manifests/v1')).status).toBe(200);
  });

  it('DELETE by digest -> 403 while an immutable tag points at it; 202 when only mutable tags do', async () => {
    const { put, manifest, send } = await setUp('team/*', 'IMMUTABLE_WITH_EXCLUSION', ['dev-*']);
    await put('v1', manifest(1));
    await put('dev-2', manifest(2));
    const denied = await send('DELETE', `/v2/team/app/manifests/${sha256(manifest(1))}`);
    expect([denied.status, denied.json().errors[0].code]).toEqual([403, 'DENIED']);
    expect(denied.json().errors[0].message).toContain('tag v1 in team/app is immutable');
    expect((await send('GET', `/v2/team/app/manifests/${sha256(manifest(1))}`)).status).toBe(200);
    expect((await send('DELETE', `/v2/team/app/manifests/${sha256(manifest(2))}`)).status).toBe(202);
  });

  it('with no rule, tags move and delete freely', async () => {
    const { put, manifest, send } = await setUp('other/*', 'IMMUTABLE');
    await put('v1', manifest(1));
    expect((await put('v1', manifest(2))).status).toBe(201);
    expect((await send('DELETE', '/v2/team/app/manifests/v1')).status).toBe(202);
  });
});
