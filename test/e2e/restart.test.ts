import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { removeTree, tempDir } from './exec';
import { RegistryProcess, startRegistry } from './registry-process';

const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

// `npm start` keeps its data under STRATUS_DATA_DIR: a restart must find every blob, manifest and tag.
describe('npm start keeps data across restarts', () => {
  const dir = tempDir('restart');
  let registry: RegistryProcess | undefined;
  afterAll(async () => {
    await registry?.stop();
    removeTree(dir);
  });

  it('a blob and a tagged manifest pushed before a restart pull back identical after it', async () => {
    // Prepare: push a layer, a config and a manifest
    const dataDir = join(dir, 'data');
    registry = await startRegistry({ dataDir });
    let base = `http://${registry.host}`;
    const layer = randomBytes(3 * 1024 * 1024);
    const config = Buffer.from('{"architecture":"amd64","os":"linux"}');
    for (const blob of [layer, config]) {
      const res = await fetch(`${base}/v2/keep/me/blobs/uploads/?digest=${sha256(blob)}`, { method: 'POST', body: blob });
      expect(res.status).toBe(201);
    }
    const manifest = Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(layer), size: layer.length }],
    }));
    const put = await fetch(`${base}/v2/keep/me/manifests/v1`, {
      method: 'PUT', headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }, body: manifest,
    });
    expect(put.status).toBe(201);

    // Act: stop and start again on the same data directory
    await registry.stop();
    registry = await startRegistry({ dataDir });
    base = `http://${registry.host}`;

    // Assess
    const got = await fetch(`${base}/v2/keep/me/manifests/v1`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
    expect(got.status).toBe(200);
    expect(Buffer.from(await got.arrayBuffer()).equals(manifest)).toBe(true);
    const blob = await fetch(`${base}/v2/keep/me/blobs/${sha256(layer)}`);
    expect(blob.status).toBe(200);
    expect(sha256(Buffer.from(await blob.arrayBuffer()))).toBe(sha256(layer));
    expect(await (await fetch(`${base}/v2/_catalog`)).json()).toEqual({ repositories: ['keep/me'] });
  });
});
