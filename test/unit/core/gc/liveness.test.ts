/** What is live in a repository (README "What is live"), on hand-written snapshots. */
import { assessRepository } from '../../../../lambda/core/gc/liveness';
import { withReferences } from '../../../../lambda/core/gc/references';
import type { LinkFacts, ManifestFacts, RepositorySnapshot } from '../../../../lambda/ports/gc-store';
import { silentLogger } from '../../../../lambda/shared/logger';
import { MemoryBlobStore } from '../../fakes/memory-blob-store';

const DAY = 86_400_000;
const NOW = 100 * DAY;
const CUTOFF = NOW - DAY;
const OLD = NOW - 3 * DAY;
const d = (c: string) => `sha256:${c.repeat(64)}`;
const short = (c: string) => `sha256:${c.repeat(12)}`;

function manifest(c: string, more: Partial<ManifestFacts> = {}): ManifestFacts {
  return { digest: d(c), mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 10, blobs: [], children: [], pushedAt: OLD, touchedAt: OLD, ...more };
}
const link = (c: string, touchedAt = OLD): LinkFacts => ({ digest: d(c), size: 1, touchedAt });
const repo = (r: Partial<RepositorySnapshot>): RepositorySnapshot => ({ repository: 'app', tags: [], manifests: [], links: [], ...r });

test('a tagged manifest and the blobs it names are live; an untagged old one and its unique layer are garbage', () => {
  const snapshot = repo({
    tags: [{ tag: 'latest', digest: d('a') }],
    manifests: [manifest('a', { blobs: [d('1'), d('2')] }), manifest('b', { blobs: [d('1'), d('3')] })],
    links: [link('1'), link('2'), link('3')],
  });

  const v = assessRepository(snapshot, CUTOFF, NOW);

  expect(v.manifests.get(d('a'))).toEqual({ live: true, reason: 'tagged latest' });
  expect(v.manifests.get(d('b'))).toEqual({ live: false, reason: 'untagged, pushed 3 d ago, nothing reaches it' });
  expect(v.links.get(d('1'))).toEqual({ live: true, reason: `named by live ${short('a')}` });
  expect(v.links.get(d('2'))!.live).toBe(true);
  expect(v.links.get(d('3'))).toEqual({ live: false, reason: 'no live manifest names it' });
});

test('children of a live index are live with their layers; children of a garbage index are garbage', () => {
  const snapshot = repo({
    tags: [{ tag: 'multi', digest: d('i') }],
    manifests: [
      manifest('i', { children: [d('a'), d('b')] }), manifest('a', { blobs: [d('1')] }), manifest('b', { blobs: [d('2')] }),
      manifest('j', { children: [d('c')] }), manifest('c', { blobs: [d('3')] }),
    ],
    links: [link('1'), link('2'), link('3')],
  });

  const v = assessRepository(snapshot, CUTOFF, NOW);

  expect(v.manifests.get(d('a'))).toEqual({ live: true, reason: `child of live index ${short('i')}` });
  expect(v.manifests.get(d('b'))!.live).toBe(true);
  expect(v.links.get(d('2'))!.live).toBe(true);
  expect(v.manifests.get(d('j'))!.live).toBe(false);
  expect(v.manifests.get(d('c'))!.live).toBe(false);
  expect(v.links.get(d('3'))!.live).toBe(false);
});

test('referrers follow their subject: kept with a live one (and their own referrers), collected with a garbage one', () => {
  const snapshot = repo({
    tags: [{ tag: 'v1', digest: d('a') }],
    manifests: [
      manifest('a'), manifest('s', { subject: d('a'), blobs: [d('1')] }), manifest('t', { subject: d('s') }),
      manifest('b'), manifest('u', { subject: d('b'), blobs: [d('2')] }),
      manifest('v', { subject: d('f') }), // subject never pushed
    ],
    links: [link('1'), link('2')],
  });

  const v = assessRepository(snapshot, CUTOFF, NOW);

  expect(v.manifests.get(d('s'))).toEqual({ live: true, reason: `referrer of live ${short('a')}` });
  expect(v.manifests.get(d('t'))).toEqual({ live: true, reason: `referrer of live ${short('s')}` });
  expect(v.links.get(d('1'))!.live).toBe(true);
  expect(v.manifests.get(d('u'))).toEqual({ live: false, reason: `referrer of ${short('b')}, which is not live` });
  expect(v.links.get(d('2'))!.live).toBe(false);
  expect(v.manifests.get(d('v'))!.live).toBe(false);
});

test('anything touched within the grace period is live, with what it names; an index pushed recently keeps old children', () => {
  const snapshot = repo({
    manifests: [
      manifest('y', { pushedAt: NOW - 1000, touchedAt: NOW - 1000, blobs: [d('1')] }),
      manifest('x', { pushedAt: OLD, touchedAt: CUTOFF }), // renewed exactly at the cutoff
      manifest('i', { pushedAt: NOW - 5, touchedAt: NOW - 5, children: [d('c')] }), manifest('c'),
    ],
    links: [link('1'), link('2', NOW - 10), link('3', CUTOFF - 1)],
  });

  const v = assessRepository(snapshot, CUTOFF, NOW);

  expect(v.manifests.get(d('y'))).toEqual({ live: true, reason: 'younger than grace' });
  expect(v.manifests.get(d('x'))!.live).toBe(true);
  expect(v.manifests.get(d('c'))).toEqual({ live: true, reason: `child of live index ${short('i')}` });
  expect(v.links.get(d('1'))!.live).toBe(true);
  expect(v.links.get(d('2'))).toEqual({ live: true, reason: 'younger than grace' });
  expect(v.links.get(d('3'))!.live).toBe(false);
});

test('items written before GC bookkeeping (no touchedAt, no blobs/children) are read from their body', async () => {
  const config = { mediaType: 'application/vnd.oci.image.config.v1+json', digest: d('1'), size: 1 };
  const layer = { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: d('2'), size: 1 };
  const image = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config, layers: [layer] };
  const index = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [{ mediaType: image.mediaType, digest: d('a'), size: 1 }] };
  const blobs = new MemoryBlobStore();
  await blobs.put('manifests/sha256/big', new TextEncoder().encode(JSON.stringify(index)));
  const legacy = (c: string, more: Partial<ManifestFacts>): ManifestFacts => ({ digest: d(c), mediaType: 'x', size: 1, ...more });
  const snapshot = repo({
    tags: [{ tag: 'latest', digest: d('i') }],
    manifests: [
      legacy('i', { mediaType: index.mediaType, bodyKey: 'manifests/sha256/big' }),
      legacy('a', { mediaType: image.mediaType, body: new TextEncoder().encode(JSON.stringify(image)) }),
      legacy('b', { mediaType: image.mediaType, body: new TextEncoder().encode(JSON.stringify({ ...image, layers: [] })) }),
    ],
    links: [{ digest: d('1'), size: 1 }, { digest: d('2'), size: 1 }, { digest: d('3'), size: 1 }],
  });

  const v = assessRepository(await withReferences(snapshot, blobs, silentLogger), CUTOFF, NOW);

  expect(v.manifests.get(d('a'))).toEqual({ live: true, reason: `child of live index ${short('i')}` });
  expect(v.links.get(d('2'))!.live).toBe(true);
  expect(v.manifests.get(d('b'))).toEqual({ live: false, reason: 'untagged, nothing reaches it' });
  expect(v.links.get(d('3'))!.live).toBe(false);
});

test('a manifest whose body cannot be read keeps the whole repository', async () => {
  const snapshot = repo({
    manifests: [{ digest: d('a'), mediaType: 'x', size: 1, bodyKey: 'manifests/gone' }, manifest('b')],
    links: [link('1')],
  });

  const v = assessRepository(await withReferences(snapshot, new MemoryBlobStore(), silentLogger), CUTOFF, NOW);

  expect([...v.manifests.values(), ...v.links.values()].every((x) => x.live)).toBe(true);
  expect(v.links.get(d('1'))!.reason).toBe(`manifest ${short('a')} could not be read: the repository is kept`);
});
