/**
 * What a manifest PUT does with the blobs and manifests it names when the collector holds them condemned:
 * a condemned link is rescued before the put (as a blob HEAD does); a condemned child manifest refuses it.
 * The store's own check (exists, not condemned, inside the put's transaction) is in the ManifestStore contract.
 */
import { UploadService } from '../../../lambda/core/uploads/upload-service';
import { registryOnFakes, sha256 } from '../fakes/registry-under-test';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

async function imageOn(fakes: ReturnType<typeof registryOnFakes>, repo: string) {
  const uploads = new UploadService(fakes.deps);
  const config = Buffer.from('{"architecture":"arm64","os":"linux"}');
  const layer = Buffer.from(`layer of ${repo}`);
  for (const bytes of [config, layer]) await uploads.monolithic(repo, sha256(bytes), { body: (async function* () { yield bytes; })(), length: bytes.length });
  const body = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: OCI_MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(layer), size: layer.length }],
  }));
  return { body, layer: sha256(layer) };
}

describe('PUT /v2/:name/manifests/:ref naming condemned items', () => {
  it('a condemned layer link -> rescued (mark removed) and 201; the tag pulls, with its platform from the config', async () => {
    const fakes = registryOnFakes();
    const image = await imageOn(fakes, 'team/app');
    Object.assign(fakes.meta.blobIndex.links.get(`team/app@${image.layer}`)!, { gcState: 'condemned', gcRun: 'run-1' });

    const put = await fakes.send('PUT', '/v2/team/app/manifests/v1', { headers: { 'content-type': OCI_MANIFEST }, body: image.body });

    expect(put.status).toBe(201);
    expect(fakes.meta.blobIndex.links.get(`team/app@${image.layer}`)!.gcState).toBeUndefined();
    expect((await fakes.send('GET', '/v2/team/app/manifests/v1', { headers: { accept: OCI_MANIFEST } })).status).toBe(200);
    expect((await fakes.meta.listTagSummaries('team/app', 10)).items[0]?.summary?.platforms).toEqual(['linux/arm64']);
  });

  it('a layer link gone -> 400 MANIFEST_BLOB_UNKNOWN naming it, nothing stored', async () => {
    const fakes = registryOnFakes();
    const image = await imageOn(fakes, 'team/app');
    fakes.meta.blobIndex.links.delete(`team/app@${image.layer}`);

    const put = await fakes.send('PUT', '/v2/team/app/manifests/v1', { headers: { 'content-type': OCI_MANIFEST }, body: image.body });

    expect(put.status).toBe(400);
    expect(put.json().errors[0]).toMatchObject({ code: 'MANIFEST_BLOB_UNKNOWN', detail: { missing: [image.layer] } });
    expect(await fakes.meta.getTag('team/app', 'v1')).toBeNull();
  });

  it('an index whose child is condemned -> 400 MANIFEST_BLOB_UNKNOWN naming the child; pushing the child again rescues it and the index then goes in', async () => {
    const fakes = registryOnFakes();
    const image = await imageOn(fakes, 'team/app');
    const child = sha256(image.body);
    expect((await fakes.send('PUT', `/v2/team/app/manifests/${child}`, { headers: { 'content-type': OCI_MANIFEST }, body: image.body })).status).toBe(201);
    fakes.meta.manifestStore.manifests.get(`team/app@${child}`)!.gcState = 'condemned';
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: OCI_MANIFEST, digest: child, size: image.body.length }] }));

    const refused = await fakes.send('PUT', '/v2/team/app/manifests/multi', { headers: { 'content-type': OCI_INDEX }, body: index });
    expect(refused.status).toBe(400);
    expect(refused.json().errors[0]).toMatchObject({ code: 'MANIFEST_BLOB_UNKNOWN', detail: { missing: [child] } });

    expect((await fakes.send('PUT', `/v2/team/app/manifests/${child}`, { headers: { 'content-type': OCI_MANIFEST }, body: image.body })).status).toBe(201);
    expect((await fakes.send('PUT', '/v2/team/app/manifests/multi', { headers: { 'content-type': OCI_INDEX }, body: index })).status).toBe(201);
  });
});
