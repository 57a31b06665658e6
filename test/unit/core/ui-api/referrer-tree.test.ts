/** The manifest view's referrers tree: depth and width are bounded whatever the registry holds. */
import type { Descriptor } from '../../../../lambda/oci/manifest';
import { REFERRER_DEPTH, REFERRERS_PER_LEVEL, referrerTree } from '../../../../lambda/core/ui-api/referrer-tree';
import { mapLimit } from '../../../../lambda/shared/map-limit';

const descriptor = (digest: string): Descriptor => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: 1, artifactType: 'x' });

describe('referrerTree', () => {
  it(`a chain of referrers is cut at depth ${REFERRER_DEPTH}`, async () => {
    const asked: string[] = [];
    const manifests = { referrers: async (_repo: string, subject: string) => { asked.push(subject); return [descriptor(`${subject}>`)]; } };

    const tree = await referrerTree(manifests, 'r', 's');

    expect(tree[0]!.digest).toBe('s>');
    expect(tree[0]!.referrers[0]!.referrers[0]!.digest).toBe('s>>>');
    expect(tree[0]!.referrers[0]!.referrers[0]!.referrers).toEqual([]);
    expect(asked).toEqual(['s', 's>', 's>>']);
  });

  it(`at most ${REFERRERS_PER_LEVEL} per level; null artifactType and {} annotations when absent`, async () => {
    const many = Array.from({ length: 150 }, (_, i) => ({ mediaType: 'm', digest: `d${i}`, size: 2 }));
    const manifests = { referrers: async (_repo: string, subject: string) => (subject === 's' ? many : []) };

    const tree = await referrerTree(manifests, 'r', 's');

    expect(tree).toHaveLength(REFERRERS_PER_LEVEL);
    expect(tree[0]).toEqual({ digest: 'd0', mediaType: 'm', artifactType: null, size: 2, annotations: {}, referrers: [] });
  });
});

describe('mapLimit', () => {
  it('keeps the order and runs at most `limit` at once', async () => {
    let running = 0;
    let most = 0;
    const out = await mapLimit([5, 1, 4, 2, 3], 2, async (n) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, n));
      running--;
      return n * 10;
    });

    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(most).toBe(2);
  });
});
