import { OciError } from '../../../lambda/oci/errors';
import { parseManifest } from '../../../lambda/oci/manifest';
import { MediaType } from '../../../lambda/oci/media-types';

const d = (c: string) => `sha256:${c.repeat(64)}`;
const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const image = {
  schemaVersion: 2,
  mediaType: MediaType.OCI_MANIFEST,
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: d('a'), size: 10 },
  layers: [
    { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: d('b'), size: 20 },
    { mediaType: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip', digest: d('c'), size: 30, urls: ['https://x'] },
  ],
};
const codeOf = (fn: () => unknown) => {
  try { fn(); } catch (e) { return (e as OciError).code; }
  return 'none';
};

describe('parseManifest', () => {
  it('requires config and distributable layers of an image manifest, not foreign ones', () => {
    const m = parseManifest(enc(image), MediaType.OCI_MANIFEST);
    expect(m.kind).toBe('image');
    expect(m.requiredBlobs).toEqual([d('a'), d('b')]);
    expect(m.artifactType).toBe('application/vnd.oci.image.config.v1+json');
  });

  it('requires the children of an index', () => {
    const index = { schemaVersion: 2, mediaType: MediaType.OCI_INDEX, manifests: [{ mediaType: MediaType.OCI_MANIFEST, digest: d('e'), size: 5 }] };
    const m = parseManifest(enc(index), MediaType.OCI_INDEX);
    expect(m).toMatchObject({ kind: 'index', requiredManifests: [d('e')], requiredBlobs: [] });
  });

  it('reads subject and artifactType of an artifact', () => {
    const artifact = { ...image, artifactType: 'application/x.sig', subject: { mediaType: MediaType.OCI_MANIFEST, digest: d('f'), size: 1 } };
    const m = parseManifest(enc(artifact), MediaType.OCI_MANIFEST);
    expect(m.subject?.digest).toBe(d('f'));
    expect(m.artifactType).toBe('application/x.sig');
  });

  it('infers the media type when neither header nor body gives one', () => {
    const { mediaType: _, ...bare } = image;
    expect(parseManifest(enc(bare), 'application/json').mediaType).toBe(MediaType.OCI_MANIFEST);
  });

  it.each([
    ['not JSON', new TextEncoder().encode('{nope')],
    ['an array', enc([1])],
    ['schema 1', enc({ schemaVersion: 1, name: 'x' })],
    ['no config', enc({ ...image, config: undefined })],
    ['a bad layer digest', enc({ ...image, layers: [{ mediaType: 'x', digest: 'sha256:zz', size: 1 }] })],
    ['a negative size', enc({ ...image, layers: [{ mediaType: 'x', digest: d('b'), size: -1 }] })],
    ['an unknown media type', enc({ ...image, mediaType: 'application/x.unknown' })],
  ])('rejects %s with MANIFEST_INVALID', (_label, body) => {
    expect(codeOf(() => parseManifest(body, body === undefined ? '' : 'application/json'))).toBe('MANIFEST_INVALID');
  });

  it('rejects a body whose mediaType contradicts the Content-Type', () => {
    expect(codeOf(() => parseManifest(enc(image), MediaType.DOCKER_MANIFEST))).toBe('MANIFEST_INVALID');
  });
});
