/**
 * Races: many clients pushing the same blob, the same tag, many tags, and deletes racing pushes that
 * reference what they delete. Every success must be true afterwards, the last writer of a tag is what a
 * pull sees, and nothing ever points at a manifest or blob that is gone.
 */
import { createHash } from 'node:crypto';
import { ACCEPT_MANIFESTS, Descriptor, MT, randomBytes, sha256, uniqueRepo } from '../http/client';
import { registryClientForThisFile } from '../http/setup';
import { answerOf } from './invariants';

const client = registryClientForThisFile();

const N = 50;

/** A blob GET through the redirect: its bytes' sha256 and length, or the status when not 200. */
async function pulledBlob(repo: string, digest: string): Promise<{ status: number; digest?: string; size?: number }> {
  const res = await client.getBlob(repo, digest);
  if (res.status !== 200) return { status: res.status };
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: 200, digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, size: bytes.length };
}

/** Asserts a blob is visible in the repository with the right size, and its bytes hash to its digest. */
async function expectBlobIntact(repo: string, digest: string, size: number): Promise<void> {
  const head = await client.fetch(`/v2/${repo}/blobs/${digest}`, { method: 'HEAD' });
  expect({ status: head.status, length: head.headers.get('content-length') }).toEqual({ status: 200, length: String(size) });
  expect(await pulledBlob(repo, digest)).toEqual({ status: 200, digest, size });
}

/** GET of a manifest: status, digest header and the sha256 of the bytes served. */
async function pulledManifest(repo: string, ref: string): Promise<{ status: number; digest?: string | null; bytesDigest?: string; body?: string }> {
  const res = await client.fetch(`/v2/${repo}/manifests/${ref}`, { headers: { accept: ACCEPT_MANIFESTS } });
  const bytes = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200) return { status: res.status };
  return { status: 200, digest: res.headers.get('docker-content-digest'), bytesDigest: sha256(bytes), body: bytes.toString() };
}

/**
 * Asserts the repository holds nothing dangling: every tag resolves to a manifest that is also there by
 * digest, and every blob and child manifest it references is there too.
 */
async function expectNothingDangling(repo: string): Promise<void> {
  const list = await client.fetch(`/v2/${repo}/tags/list`);
  const tags = list.status === 200 ? ((await list.json()) as { tags: string[] }).tags : [];
  for (const tag of tags) {
    const byTag = await pulledManifest(repo, tag);
    expect({ tag, status: byTag.status }).toEqual({ tag, status: 200 });
    expect(byTag.bytesDigest).toBe(byTag.digest);
    await expectManifestComplete(repo, byTag.digest!);
  }
}

async function expectManifestComplete(repo: string, digest: string): Promise<void> {
  const m = await pulledManifest(repo, digest);
  expect({ digest, status: m.status }).toEqual({ digest, status: 200 });
  const doc = JSON.parse(m.body!) as { config?: Descriptor; layers?: Descriptor[]; manifests?: Descriptor[] };
  for (const b of [...(doc.config ? [doc.config] : []), ...(doc.layers ?? [])]) {
    const head = await client.fetch(`/v2/${repo}/blobs/${b.digest}`, { method: 'HEAD' });
    expect({ manifest: digest, blob: b.digest, status: head.status }).toEqual({ manifest: digest, blob: b.digest, status: 200 });
  }
  for (const child of doc.manifests ?? []) await expectManifestComplete(repo, child.digest);
}

/** Pushes a config and a layer; returns their descriptors. */
async function pushParts(repo: string): Promise<{ config: Descriptor; layer: Descriptor }> {
  const config = await client.pushBlob(repo, Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } })), MT.ociConfig);
  const layer = await client.pushBlob(repo, randomBytes(2048));
  return { config, layer };
}

/** An image manifest over the parts, made distinct by an annotation. */
function imageManifest(parts: { config: Descriptor; layer: Descriptor }, marker: string): Buffer {
  return Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: MT.ociManifest, config: parts.config, layers: [parts.layer], annotations: { marker },
  }));
}

function putManifest(repo: string, ref: string, body: Buffer, type: string = MT.ociManifest): Promise<Response> {
  return client.putManifest(repo, ref, body, type);
}

describe(`${N} concurrent pushes of the same blob`, () => {
  it('monolithic POST ?digest= x50 -> every 201 is true: HEAD has the size, GET bytes hash to the digest', async () => {
    const repo = uniqueRepo('race-blob');
    const bytes = randomBytes(256 * 1024);
    const digest = sha256(bytes);

    const answers = await Promise.all(Array.from({ length: N }, async () => answerOf(
      await client.fetch(`/v2/${repo}/blobs/uploads/?digest=${digest}`, { method: 'POST', body: bytes }),
    )));

    expect(answers.map((a) => a.status).filter((s) => s !== 201)).toEqual([]);
    await expectBlobIntact(repo, digest, bytes.length);
  });

  it('POST + PUT ?digest= x50 (and x10 in another repository at once) -> all 201, blob intact in both', async () => {
    const repo = uniqueRepo('race-blob-put');
    const other = uniqueRepo('race-blob-put-other');
    const bytes = randomBytes(300 * 1024);
    const digest = sha256(bytes);
    const push = async (r: string) => {
      const url = await client.startUpload(r);
      return answerOf(await client.fetch(client.withDigest(url, digest), { method: 'PUT', body: bytes }));
    };

    const answers = await Promise.all([...Array.from({ length: N }, () => push(repo)), ...Array.from({ length: 10 }, () => push(other))]);

    expect(answers.map((a) => a.status).filter((s) => s !== 201)).toEqual([]);
    await expectBlobIntact(repo, digest, bytes.length);
    await expectBlobIntact(other, digest, bytes.length);
  });

  it('two chunked uploads of the same bytes completing at the same moment -> both 201, one intact blob', async () => {
    const repo = uniqueRepo('race-two');
    const bytes = randomBytes(200 * 1024);
    const digest = sha256(bytes);
    const half = bytes.length / 2;
    const sessions = await Promise.all([0, 1].map(async () => {
      const url = await client.startUpload(repo);
      const first = await client.patchChunk(url, bytes.subarray(0, half), 0);
      expect(first.status).toBe(202);
      return client.location(first);
    }));

    const done = await Promise.all(sessions.map(async (url) => answerOf(
      await client.fetch(client.withDigest(url, digest), { method: 'PUT', headers: { 'content-range': `${half}-${bytes.length - 1}` }, body: bytes.subarray(half) }),
    )));

    expect(done.map((a) => a.status)).toEqual([201, 201]);
    expect(done.map((a) => a.headers['docker-content-digest'])).toEqual([digest, digest]);
    await expectBlobIntact(repo, digest, bytes.length);
  });
});

describe('concurrent chunks of one upload session', () => {
  it('two PATCHes at the same offset of a session -> one 202, one 416; the finished blob is the winner\'s bytes (chunks small, and large enough for S3 parts)', async () => {
    const repo = uniqueRepo('race-chunks');
    for (const size of [64 * 1024, 6 * 1024 * 1024]) {
      const url = await client.startUpload(repo);
      const first = randomBytes(8 * 1024 * 1024);
      const ok = await client.patchChunk(url, first, 0);
      expect(ok.status).toBe(202);
      const next = client.location(ok);
      const candidates = [randomBytes(size), randomBytes(size)];

      const answers = await Promise.all(candidates.map(async (c) => answerOf(await client.patchChunk(next, c, first.length))));

      expect(answers.map((a) => a.status).sort()).toEqual([202, 416]);
      const winner = candidates[answers.findIndex((a) => a.status === 202)]!;
      const all = Buffer.concat([first, winner]);
      const put = await client.fetch(client.withDigest(client.location(await client.fetch(next)), sha256(all)), { method: 'PUT' });
      expect({ size, status: (await answerOf(put)).status }).toEqual({ size, status: 201 });
      await expectBlobIntact(repo, sha256(all), all.length);
    }
  });
});

describe('concurrent manifest pushes', () => {
  it(`${N} PUTs of one tag with different manifests -> the tag is one of the 201'd manifests, served byte for byte; every 201'd digest is there; a later PUT wins`, async () => {
    const repo = uniqueRepo('race-tag');
    const parts = await pushParts(repo);
    const bodies = Array.from({ length: N }, (_, i) => imageManifest(parts, `m${i}`));

    const answers = await Promise.all(bodies.map(async (b) => answerOf(await putManifest(repo, 'latest', b))));

    expect(answers.filter((a) => a.status !== 201).map((a) => `${a.status} ${a.body}`)).toEqual([]);
    const accepted = new Set(bodies.filter((_, i) => answers[i]!.status === 201).map((b) => sha256(b)));
    const pulled = await pulledManifest(repo, 'latest');
    expect(pulled.status).toBe(200);
    expect(accepted.has(pulled.digest!)).toBe(true);
    expect(pulled.bytesDigest).toBe(pulled.digest);
    for (const d of accepted) expect((await pulledManifest(repo, d)).bytesDigest).toBe(d);
    const last = imageManifest(parts, 'last');
    expect((await putManifest(repo, 'latest', last)).status).toBe(201);
    expect((await pulledManifest(repo, 'latest')).digest).toBe(sha256(last));
    await expectNothingDangling(repo);
  });

  it(`${N} different tags of one repository at once -> all 201, all listed, each serving its own manifest`, async () => {
    const repo = uniqueRepo('race-tags');
    const parts = await pushParts(repo);
    const tags = Array.from({ length: N }, (_, i) => `t${String(i).padStart(2, '0')}`);
    const bodies = tags.map((t) => imageManifest(parts, t));

    const answers = await Promise.all(tags.map(async (t, i) => answerOf(await putManifest(repo, t, bodies[i]!))));

    expect(answers.filter((a) => a.status !== 201).map((a) => `${a.status} ${a.body}`)).toEqual([]);
    const list = (await (await client.fetch(`/v2/${repo}/tags/list`)).json()) as { tags: string[] };
    expect(list.tags).toEqual(tags);
    for (const [i, t] of tags.entries()) expect((await pulledManifest(repo, t)).digest).toBe(sha256(bodies[i]!));
    await expectNothingDangling(repo);
  });
});

describe('a DELETE racing a push that references what it deletes', () => {
  const ROUNDS = 25;

  it('DELETE of a manifest by digest racing PUTs of the same manifest under new tags -> the outcome is one of the serial orders; no dangling tag', async () => {
    const repo = uniqueRepo('race-del-tag');
    const parts = await pushParts(repo);
    for (let round = 0; round < ROUNDS; round++) {
      const body = imageManifest(parts, `r${round}`);
      const digest = sha256(body);
      expect((await putManifest(repo, `old${round}`, body)).status).toBe(201);
      const newTags = [0, 1, 2, 3].map((i) => `new${round}-${i}`);

      const [del, ...puts] = await Promise.all([
        client.fetch(`/v2/${repo}/manifests/${digest}`, { method: 'DELETE' }).then(answerOf),
        ...newTags.map((t) => putManifest(repo, t, body).then(answerOf)),
      ]);

      expect([del.status, ...puts.map((p) => p.status)]).toEqual([202, 201, 201, 201, 201]);
      const manifest = await pulledManifest(repo, digest);
      const tagged = await Promise.all(newTags.map(async (t) => (await pulledManifest(repo, t)).status));
      // Each PUT either came before the DELETE (its tag went with the manifest) or after it (the manifest
      // is back and the tag points at it). A tag that came back must find its manifest; a manifest that
      // came back was put by a PUT after the DELETE, whose tag must be there.
      if (manifest.status === 404) expect({ round, tagged }).toEqual({ round, tagged: [404, 404, 404, 404] });
      else expect({ round, anyTagged: tagged.includes(200) }).toEqual({ round, anyTagged: true });
      expect({ round, old: (await pulledManifest(repo, `old${round}`)).status }).toEqual({ round, old: 404 });
    }
    await expectNothingDangling(repo);
  });

  it('DELETE of a manifest racing a PUT of an index that references it -> index refused (DELETE first) or stored (PUT first); the child is gone either way', async () => {
    const repo = uniqueRepo('race-del-index');
    const parts = await pushParts(repo);
    for (let round = 0; round < ROUNDS; round++) {
      const child = imageManifest(parts, `c${round}`);
      const childDigest = sha256(child);
      expect((await putManifest(repo, childDigest, child)).status).toBe(201);
      const index = Buffer.from(JSON.stringify({
        schemaVersion: 2, mediaType: MT.ociIndex,
        manifests: [{ mediaType: MT.ociManifest, digest: childDigest, size: child.length, platform: { architecture: 'amd64', os: 'linux' } }],
      }));

      const [del, put] = await Promise.all([
        client.fetch(`/v2/${repo}/manifests/${childDigest}`, { method: 'DELETE' }).then(answerOf),
        putManifest(repo, `index${round}`, index, MT.ociIndex).then(answerOf),
      ]);

      expect(del.status).toBe(202);
      expect([201, 400]).toContain(put.status);
      const indexNow = await pulledManifest(repo, `index${round}`);
      expect({ round, child: (await pulledManifest(repo, childDigest)).status, index: indexNow.status })
        .toEqual({ round, child: 404, index: put.status === 201 ? 200 : 404 });
      if (put.status === 201) expect(indexNow.bytesDigest).toBe(sha256(index));
    }
  });

  it('DELETE of a blob racing a PUT of a manifest that references it -> manifest refused (DELETE first) or stored (PUT first); the blob is gone either way', async () => {
    const repo = uniqueRepo('race-del-blob');
    const parts = await pushParts(repo);
    for (let round = 0; round < ROUNDS; round++) {
      const layer = await client.pushBlob(repo, randomBytes(1024));
      const body = imageManifest({ config: parts.config, layer }, `b${round}`);

      const [del, put] = await Promise.all([
        client.fetch(`/v2/${repo}/blobs/${layer.digest}`, { method: 'DELETE' }).then(answerOf),
        putManifest(repo, `img${round}`, body).then(answerOf),
      ]);

      expect(del.status).toBe(202);
      expect([201, 400]).toContain(put.status);
      const head = await client.fetch(`/v2/${repo}/blobs/${layer.digest}`, { method: 'HEAD' });
      const tagged = await pulledManifest(repo, `img${round}`);
      expect({ round, blob: head.status, tag: tagged.status }).toEqual({ round, blob: 404, tag: put.status === 201 ? 200 : 404 });
    }
  });
});
