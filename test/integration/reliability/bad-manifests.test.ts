/**
 * Generated and hand-picked bad manifests: malformed JSON, broken structure, wrong digests, missing
 * blobs and child manifests, oversized bodies. Each is refused with the spec's code, never a 5xx, and
 * the repository's tags, manifests and blobs are as they were.
 */
import fc from 'fast-check';
import { Descriptor, MT, randomBytes, sha256, sha512, uniqueRepo } from '../http/client';
import { registryClientForThisFile } from '../http/setup';
import { invalidDigest, unknownSha256 } from './arbitraries';
import { answerOf, expectAlive, expectRefused, fcParams, snapshot, Watched } from './invariants';

const client = registryClientForThisFile();

let repo: string;
let config: Descriptor;
let layer: Descriptor;
let watched: Watched;
let before: Record<string, unknown>;

/** A valid OCI image manifest over the pushed config and layer, as a fresh object to mutate. */
function validManifest(): Record<string, unknown> {
  return { schemaVersion: 2, mediaType: MT.ociManifest, config: { ...config }, layers: [{ ...layer }] };
}

/** PUTs a body as the manifest `v1` (the tag that exists) and as a new tag; both must be refused alike. */
async function expectPutRefused(body: Uint8Array | string, contentType: string, status: number, code: string): Promise<void> {
  for (const ref of ['v1', 'fresh']) {
    const res = await client.putManifest(repo, ref, body, contentType);
    expectRefused(await answerOf(res), status, code);
  }
}

type Mutation = [string, (m: Record<string, unknown>) => void];
const mutation = (name: string, apply: Mutation[1]): Mutation => [name, apply];

/** Mutations that make the valid manifest invalid, each named for the failure report. */
const breakManifest: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constantFrom<unknown>(1, 3, '2', null, 2.5, -2, undefined).map((v) => mutation('schemaVersion', (m) => {
    m.schemaVersion = v;
  })),
  fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.array(fc.integer())).map((v) => mutation('config', (m) => {
    m.config = v;
  })),
  fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.dictionary(fc.string(), fc.string())).map((v) => mutation('layers', (m) => {
    m.layers = v;
  })),
  fc.tuple(fc.constantFrom('config', 'layer'), invalidDigest).map(([where, d]) => mutation(`${where} digest ${d}`, (m) => {
    const target = where === 'config' ? (m.config as Descriptor) : (m.layers as Descriptor[])[0]!;
    target.digest = d;
  })),
  fc.tuple(fc.constantFrom('config', 'layer'), fc.constantFrom<unknown>(-1, 1.5, '12', null, 2 ** 53, Number.MAX_VALUE))
    .map(([where, size]) => mutation(`${where} size ${String(size)}`, (m) => {
      const target = where === 'config' ? (m.config as Record<string, unknown>) : (m.layers as Record<string, unknown>[])[0]!;
      target.size = size;
    })),
  fc.constantFrom('mediaType', 'digest', 'size').map((field) => mutation(`layer without ${field}`, (m) => {
    delete (m.layers as Record<string, unknown>[])[0]![field];
  })),
  fc.oneof(fc.integer(), fc.array(fc.string()), fc.dictionary(fc.string(), fc.integer(), { minKeys: 1 })).map((v) => mutation('annotations', (m) => {
    m.annotations = v;
  })),
  fc.oneof(fc.integer(), fc.constant(null), fc.string()).map((v) => mutation('subject', (m) => {
    m.subject = v;
  })),
  fc.constantFrom(MT.ociIndex, MT.dockerManifest, 'application/vnd.example+json').map((v) => mutation(`mediaType field ${v}`, (m) => {
    m.mediaType = v;
  })),
);

describe('PUT /v2/:name/manifests/:ref with a bad manifest -> 400, state unchanged', () => {
  beforeAll(async () => {
    repo = uniqueRepo('bad-manifests');
    const image = await client.pushImage(repo, 'v1');
    const doc = image.doc as { config: Descriptor; layers: Descriptor[] };
    config = doc.config;
    layer = doc.layers[0]!;
    watched = { repo, manifests: [image.digest], blobs: [config.digest, layer.digest] };
    before = await snapshot(client, watched);
  });

  afterAll(async () => {
    expect(await snapshot(client, watched)).toEqual(before);
    await expectAlive(client);
  });

  it('generated structural breakage of a valid manifest -> 400 MANIFEST_INVALID', async () => {
    await fc.assert(fc.asyncProperty(breakManifest, async ([_what, mutate]) => {
      const m = validManifest();
      mutate(m);
      await expectPutRefused(JSON.stringify(m), MT.ociManifest, 400, 'MANIFEST_INVALID');
    }), fcParams(80));
  });

  it('generated bodies that are not a JSON object (random bytes, JSON scalars and arrays) -> 400 MANIFEST_INVALID', async () => {
    const notAnObject = fc.oneof(
      fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
      fc.jsonValue().filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)).map((v) => Buffer.from(JSON.stringify(v))),
      fc.string().map((s) => Buffer.from(`{"schemaVersion":2,${s}`)),
    ).filter((b) => {
      try {
        const v = JSON.parse(b.toString('utf8')) as unknown;
        return typeof v !== 'object' || v === null || Array.isArray(v);
      } catch {
        return true;
      }
    });
    await fc.assert(fc.asyncProperty(notAnObject, async (body) => {
      await expectPutRefused(body, MT.ociManifest, 400, 'MANIFEST_INVALID');
    }), fcParams(60));
  });

  it('generated references to blobs the repository does not hold -> 400 MANIFEST_BLOB_UNKNOWN', async () => {
    await fc.assert(fc.asyncProperty(fc.array(unknownSha256, { minLength: 1, maxLength: 5 }), fc.boolean(), async (digests, asConfig) => {
      const m = validManifest();
      if (asConfig) (m.config as Descriptor).digest = digests[0]!;
      m.layers = [layer, ...digests.map((digest) => ({ mediaType: MT.ociLayer, digest, size: 10 }))];
      await expectPutRefused(JSON.stringify(m), MT.ociManifest, 400, 'MANIFEST_BLOB_UNKNOWN');
    }), fcParams(40));
  });

  it('generated index children the repository does not hold -> 400 MANIFEST_BLOB_UNKNOWN', async () => {
    await fc.assert(fc.asyncProperty(fc.array(unknownSha256, { minLength: 1, maxLength: 5 }), async (digests) => {
      const index = { schemaVersion: 2, mediaType: MT.ociIndex, manifests: digests.map((digest) => ({ mediaType: MT.ociManifest, digest, size: 100 })) };
      await expectPutRefused(JSON.stringify(index), MT.ociIndex, 400, 'MANIFEST_BLOB_UNKNOWN');
    }), fcParams(40));
  });

  it('generated annotation maps on a manifest with a subject: stored and served byte for byte, or refused with 400', async () => {
    const annotations = fc.dictionary(fc.string({ maxLength: 20 }), fc.string({ maxLength: 40 }), { maxKeys: 6 });
    const subject = (before[`manifest ${watched.manifests![0]}`] as { digest: string }).digest;
    await fc.assert(fc.asyncProperty(annotations, fc.string({ maxLength: 30 }), async (a, artifactType) => {
      const m = { ...validManifest(), artifactType: artifactType || undefined, annotations: a, subject: { mediaType: MT.ociManifest, digest: subject, size: 1 } };
      const body = JSON.stringify(m);
      const res = await client.putManifest(repo, sha256(body), body, MT.ociManifest);
      const answer = await answerOf(res);
      expect(answer.status).toBeLessThan(500);
      if (answer.status !== 201) return expectRefused(answer, 400, 'MANIFEST_INVALID');
      const get = await client.getManifest(repo, sha256(body));
      expect(Buffer.from(await get.arrayBuffer()).toString()).toBe(body);
      const referrers = await client.fetch(`/v2/${repo}/referrers/${subject}`);
      expect(referrers.status).toBe(200);
      const del = await client.fetch(`/v2/${repo}/manifests/${sha256(body)}`, { method: 'DELETE' });
      expect(del.status).toBe(202);
    }), fcParams(50));
  });

  it('an annotation with an empty key on a manifest with a subject -> 201, served byte for byte and listed by referrers (was 500: DynamoDB maps refuse empty keys)', async () => {
    const subject = (before[`manifest ${watched.manifests![0]}`] as { digest: string }).digest;
    const body = JSON.stringify({ ...validManifest(), annotations: { '': 'empty key', 'org.example': 'v' }, subject: { mediaType: MT.ociManifest, digest: subject, size: 1 } });

    const put = await client.putManifest(repo, 'empty-key', body, MT.ociManifest);

    expect(put.status).toBe(201);
    for (const ref of [sha256(body), 'empty-key']) {
      const get = await client.getManifest(repo, ref);
      expect(Buffer.from(await get.arrayBuffer()).toString()).toBe(body);
    }
    const referrers = (await (await client.fetch(`/v2/${repo}/referrers/${subject}`)).json()) as { manifests: Descriptor[] };
    expect(referrers.manifests.find((d) => d.digest === sha256(body))?.annotations).toEqual({ '': 'empty key', 'org.example': 'v' });
    await client.fetch(`/v2/${repo}/manifests/${sha256(body)}`, { method: 'DELETE' });
  });

  it.each([
    ['Docker schema 1', JSON.stringify({ schemaVersion: 1, name: 'x', tag: 'v1', fsLayers: [] }), MT.ociManifest],
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), MT.ociManifest],
    ['a UTF-8 byte order mark', `\ufeff${JSON.stringify({ schemaVersion: 2 })}`, MT.ociManifest],
    ['an empty body', '', MT.ociManifest],
    ['"null"', 'null', MT.ociManifest],
    ['an unsupported Content-Type', JSON.stringify({ schemaVersion: 2, config: {}, layers: [] }), 'text/plain'],
    ['a Content-Type that contradicts mediaType', JSON.stringify({ schemaVersion: 2, mediaType: MT.ociIndex, manifests: [] }), MT.ociManifest],
    ['deeply nested arrays (100,000 levels)', `{"schemaVersion":2,"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`, MT.ociManifest],
    ['deeply nested objects (50,000 levels)', `{"schemaVersion":2,"x":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}`, MT.ociManifest],
  ])('hand-picked: %s -> 400 MANIFEST_INVALID', async (_why, body, type) => {
    await expectPutRefused(body, type, 400, 'MANIFEST_INVALID');
  });

  it('PUT with 150 ?tag= values (more than one DynamoDB transaction holds) -> 201, every tag serves the manifest', async () => {
    const body = JSON.stringify({ ...validManifest(), annotations: { many: 'tags' } });
    const tags = Array.from({ length: 150 }, (_, i) => `many-${i}`);

    const put = await client.putManifest(repo, `${sha256(body)}?${tags.map((t) => `tag=${t}`).join('&')}`, body, MT.ociManifest);

    expect((await answerOf(put)).status).toBe(201);
    for (const tag of [tags[0]!, tags[99]!, tags[149]!]) {
      expect((await client.getManifest(repo, tag)).headers.get('docker-content-digest')).toBe(sha256(body));
    }
    const del = await client.fetch(`/v2/${repo}/manifests/${sha256(body)}`, { method: 'DELETE' });
    expect(del.status).toBe(202);
    expect((await client.getManifest(repo, tags[120]!)).status).toBe(404);
  });

  it('PUT by a digest the body does not have -> 400 DIGEST_INVALID', async () => {
    const body = JSON.stringify(validManifest());
    const res = await client.putManifest(repo, sha256(`${body} `), body, MT.ociManifest);

    expectRefused(await answerOf(res), 400, 'DIGEST_INVALID');
  });

  it('PUT by a sha512 digest of other bytes -> 400 DIGEST_INVALID; by the right sha512 -> 201', async () => {
    const body = JSON.stringify(validManifest());

    const wrong = await client.putManifest(repo, sha512(`${body}\n`), body, MT.ociManifest);
    expectRefused(await answerOf(wrong), 400, 'DIGEST_INVALID');
    const right = await client.putManifest(repo, sha512(body), body, MT.ociManifest);
    expect(right.status).toBe(201);
    await client.fetch(`/v2/${repo}/manifests/${sha512(body)}`, { method: 'DELETE' });
  });

  it('over 4 MiB with Content-Length -> 413 SIZE_INVALID; the same streamed without a length -> 413', async () => {
    const m = { ...validManifest(), annotations: { pad: 'x'.repeat(4 * 1024 * 1024) } };
    const body = Buffer.from(JSON.stringify(m));

    await expectPutRefused(body, MT.ociManifest, 413, 'SIZE_INVALID');
    const streamed = await client.fetch(`/v2/${repo}/manifests/v1`, {
      method: 'PUT',
      headers: { 'content-type': MT.ociManifest },
      body: new ReadableStream({ start(c) { c.enqueue(body); c.close(); } }),
      duplex: 'half',
    } as RequestInit);
    expectRefused(await answerOf(streamed), 413, 'SIZE_INVALID');
  });

  it('a large (> 64 KiB, stored in S3) manifest with a missing blob -> 400 MANIFEST_BLOB_UNKNOWN, no object left visible', async () => {
    const m: Record<string, unknown> = { ...validManifest(), annotations: { pad: 'y'.repeat(100_000) } };
    (m.layers as Descriptor[]).push({ mediaType: MT.ociLayer, digest: sha256(randomBytes(8)), size: 8 });

    await expectPutRefused(JSON.stringify(m), MT.ociManifest, 400, 'MANIFEST_BLOB_UNKNOWN');
  });
});
