/** Summaries computed at push time: sizes from descriptors, an image's platform from its config, an index's from its entries. */
import { parseManifest } from '../../../../lambda/oci/manifest';
import type { BlobRecord } from '../../../../lambda/ports/blob-index';
import type { ManifestSummary } from '../../../../lambda/ports/manifest-store';
import { CONFIG_READ_MAX_BYTES, platformName, summarize, SummaryInputs } from '../../../../lambda/core/manifests/tag-summary';
import { silentLogger } from '../../../../lambda/shared/logger';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const d = (c: string) => `sha256:${c.repeat(64)}`;

/** Inputs whose blob store holds `configs` (by digest), counting reads. */
function inputs(configs: Record<string, string | Error> = {}, children = new Map<string, ManifestSummary | undefined>()) {
  const reads: string[] = [];
  const i: SummaryInputs = {
    blobIndex: { getLinkedBlob: async (_repo, digest): Promise<BlobRecord | null> => (digest in configs ? { digest, size: 1, objectKey: `blobs/${digest}` } : null) },
    blobs: {
      get: async (key) => {
        reads.push(key);
        const value = configs[key.slice('blobs/'.length)]!;
        if (value instanceof Error) throw value;
        return (async function* () { yield Buffer.from(value); })();
      },
    },
    logger: silentLogger,
    children,
  };
  return { i, reads };
}

function image(configSize: number, layerSizes: number[], configDigest = d('c'), configType = 'application/vnd.oci.image.config.v1+json') {
  const body = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: OCI_MANIFEST,
    config: { mediaType: configType, digest: configDigest, size: configSize },
    layers: layerSizes.map((size, n) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: d(String(n)), size })),
  }));
  return { body, parsed: parseManifest(body, OCI_MANIFEST) };
}

describe('summarize: an image', () => {
  it('size = config + layers; platform os/architecture/variant from its config, read once', async () => {
    const { body, parsed } = image(60, [1000, 2000]);
    const { i, reads } = inputs({ [d('c')]: JSON.stringify({ os: 'linux', architecture: 'arm64', variant: 'v8' }) });

    const summary = await summarize('r', body, parsed, i);

    expect(summary).toEqual({ mediaType: OCI_MANIFEST, size: 3060, platforms: ['linux/arm64/v8'] });
    expect(reads).toEqual([`blobs/${d('c')}`]);
  });

  it(`a config over ${CONFIG_READ_MAX_BYTES} bytes is not read: platforms []`, async () => {
    const { body, parsed } = image(CONFIG_READ_MAX_BYTES + 1, [5]);
    const { i, reads } = inputs({ [d('c')]: '{"os":"linux","architecture":"amd64"}' });

    expect(await summarize('r', body, parsed, i)).toEqual({ mediaType: OCI_MANIFEST, size: CONFIG_READ_MAX_BYTES + 6, platforms: [] });
    expect(reads).toEqual([]);
  });

  it.each([
    ['not JSON (an artifact\'s config)', 'not json'],
    ['JSON without os and architecture', '{"a":1}'],
    ['a store that fails', new Error('S3 down')],
  ])('a config that is %s -> platforms [], the push goes on', async (_what, config) => {
    const { body, parsed } = image(40, [7]);
    const { i } = inputs({ [d('c')]: config });

    expect(await summarize('r', body, parsed, i)).toEqual({ mediaType: OCI_MANIFEST, size: 47, platforms: [] });
  });

  it('an artifact with the empty config (a signature) -> platforms [], nothing read', async () => {
    const { body, parsed } = image(2, [7], d('c'), 'application/vnd.oci.empty.v1+json');
    const { i, reads } = inputs({ [d('c')]: '{}' });

    expect(await summarize('r', body, parsed, i)).toEqual({ mediaType: OCI_MANIFEST, size: 9, platforms: [] });
    expect(reads).toEqual([]);
  });

  it('a config the repository does not link -> platforms [], nothing read', async () => {
    const { body, parsed } = image(40, [7], d('e'));
    const { i, reads } = inputs({});

    expect((await summarize('r', body, parsed, i)).platforms).toEqual([]);
    expect(reads).toEqual([]);
  });
});

describe('summarize: an index', () => {
  it('size = the sum of its children\'s summaries (a child without one counts its manifest size); platforms from its entries, once each, no unknown/unknown', async () => {
    const entry = (c: string, size: number, platform?: Record<string, string>) => ({ mediaType: OCI_MANIFEST, digest: d(c), size, platform });
    const body = Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: OCI_INDEX,
      manifests: [
        entry('a', 500, { os: 'linux', architecture: 'amd64' }),
        entry('b', 600, { os: 'linux', architecture: 'arm64', variant: 'v8' }),
        entry('f', 700, { os: 'unknown', architecture: 'unknown' }),
        entry('1', 800, { os: 'linux', architecture: 'amd64' }),
      ],
    }));
    const children = new Map<string, ManifestSummary | undefined>([
      [d('a'), { mediaType: OCI_MANIFEST, size: 10_000, platforms: ['linux/amd64'] }],
      [d('b'), { mediaType: OCI_MANIFEST, size: 20_000, platforms: ['linux/arm64/v8'] }],
      [d('f'), { mediaType: OCI_MANIFEST, size: 30, platforms: [] }],
      [d('1'), undefined],
    ]);
    const { i, reads } = inputs({}, children);

    const summary = await summarize('r', body, parseManifest(body, OCI_INDEX), i);

    expect(summary).toEqual({ mediaType: OCI_INDEX, size: 10_000 + 20_000 + 30 + 800, platforms: ['linux/amd64', 'linux/arm64/v8'] });
    expect(reads).toEqual([]);
  });
});

describe('platformName', () => {
  it.each([
    [{ os: 'linux', architecture: 'amd64' }, 'linux/amd64'],
    [{ os: 'linux', architecture: 'arm', variant: 'v7' }, 'linux/arm/v7'],
    [{ os: 'windows', architecture: 'amd64', variant: '' }, 'windows/amd64'],
    [{ os: 'unknown', architecture: 'unknown' }, undefined],
    [{ os: 'linux' }, undefined],
    [null, undefined],
  ])('%j -> %s', (platform, name) => {
    expect(platformName(platform)).toBe(name);
  });
});
