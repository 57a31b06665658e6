/**
 * What one run collects and what it keeps (README "What is live"), pushed and checked over the HTTP API;
 * the dry run plans the same and deletes nothing.
 */
import { randomUUID } from 'node:crypto';
import { EMPTY_JSON, errorCodes, MT, PushedManifest, randomBytes, sha256, uniqueRepo } from '../http/client';
import { gcHarnessForThisFile } from './gc-fixture';
import { pullsWhole } from './race-helpers';

// Manifests over 1 KiB go to S3: a large manifest's body is an object of its own.
const h = gcHarnessForThisFile({ config: { inlineManifestBytes: 1024 } });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function manifestStatus(repo: string, ref: string): Promise<number> {
  const res = await h.client.getManifest(repo, ref);
  await res.arrayBuffer();
  return res.status;
}

async function blobStatus(repo: string, digest: string): Promise<number> {
  const res = await h.client.fetch(`/v2/${repo}/blobs/${digest}`, { method: 'HEAD' });
  return res.status;
}

async function referrerOf(repo: string, subject: PushedManifest): Promise<PushedManifest> {
  const empty = await h.client.pushBlob(repo, EMPTY_JSON, MT.ociEmpty);
  return h.client.pushManifestJson(repo, undefined, {
    schemaVersion: 2, mediaType: MT.ociManifest, artifactType: 'application/vnd.example.sig',
    config: empty, layers: [await h.client.pushBlob(repo, randomBytes(64))], subject: subject.descriptor,
  }, MT.ociManifest);
}

async function indexOf(repo: string, tag: string, children: PushedManifest[]): Promise<PushedManifest> {
  return h.client.pushManifestJson(repo, tag, { schemaVersion: 2, mediaType: MT.ociIndex, manifests: children.map((c) => c.descriptor) }, MT.ociIndex);
}

async function deleteTag(repo: string, tag: string): Promise<void> {
  const res = await h.client.fetch(`/v2/${repo}/manifests/${tag}`, { method: 'DELETE' });
  await res.arrayBuffer();
  expect(res.status).toBe(202);
}

test('a run collects untagged images, their unique layers, dead referrers and index children, and unrecorded objects; it keeps the rest', async () => {
  const repo = uniqueRepo('gc-what');
  // kept: a tagged image, an index's children, referrers of a live subject
  const tagged = await h.client.pushImage(repo, 'v1');
  const taggedLayer = (tagged.doc as { layers: Array<{ digest: string }> }).layers[0]!.digest;
  const liveIndex = await indexOf(repo, 'multi', [await h.client.pushImage(repo), await h.client.pushImage(repo)]);
  const liveSig = await referrerOf(repo, tagged);
  // garbage: an untagged image (with a layer shared with the tagged one), a deleted subject's referrer, a deleted index's children
  const untagged = await h.client.pushImage(repo);
  const untaggedBlobs = [(untagged.doc as { config: { digest: string } }).config.digest, (untagged.doc as { layers: Array<{ digest: string }> }).layers[0]!.digest];
  const sharing = await h.client.pushManifestJson(repo, undefined, { ...(untagged.doc as object), layers: [{ mediaType: MT.ociLayer, digest: taggedLayer, size: 1024 }] }, MT.ociManifest);
  const subject = await h.client.pushImage(repo, 'gone');
  const deadSig = await referrerOf(repo, subject);
  await deleteTag(repo, 'gone');
  const deadChildren = [await h.client.pushImage(repo), await h.client.pushImage(repo)];
  await indexOf(repo, 'old-multi', deadChildren);
  const deadIndexDigest = (await h.client.getManifest(repo, 'old-multi', 'HEAD')).headers.get('docker-content-digest')!;
  await deleteTag(repo, 'old-multi');
  // a large manifest put twice: the first put's body is superseded
  const bigDoc = { ...(tagged.doc as object), annotations: { filler: 'x'.repeat(2000) } };
  const big = await h.client.pushManifestJson(repo, 'big', bigDoc, MT.ociManifest);
  await h.client.pushManifestJson(repo, 'big', bigDoc, MT.ociManifest);
  // a failed push's object: bytes in the bucket that no record names
  const failedKey = `blobs/${randomUUID()}`;
  await h.blobs.put(failedKey, randomBytes(300));
  await sleep(50);
  const boundary = Date.now();
  await sleep(50);
  // young: pushed within the grace period
  const young = await h.client.pushImage(repo);
  const grace = () => Date.now() - boundary;

  const dry = await h.collect({ graceMs: grace(), dryRun: true, orphanMinAgeMs: 0 });

  const planned = (r: typeof dry) => r.plan.map((e) => `${e.kind} ${e.digest ?? e.key}`).sort();
  expect(dry.run).toEqual(expect.objectContaining({ dryRun: true, status: 'completed', manifestsDeleted: 0, bytesFreed: 0 }));
  expect(dry.plan.every((e) => !e.done)).toBe(true);
  expect(await manifestStatus(repo, untagged.digest)).toBe(200);
  expect(await h.blobs.stat(failedKey)).not.toBeNull();
  const reasons = new Map(dry.plan.map((e) => [`${e.kind} ${e.digest ?? e.key}`, e.reason]));
  expect(reasons.get(`manifest ${untagged.digest}`)).toMatch(/^untagged, pushed \d+ s ago, nothing reaches it$/);
  expect(reasons.get(`manifest ${deadSig.digest}`)).toMatch(/^referrer of sha256:\w{12}, which is not live$/);
  expect(reasons.get(`object ${failedKey}`)).toMatch(/^no record names it/);

  const real = await h.collect({ graceMs: grace(), orphanMinAgeMs: 0 });

  expect(planned(real)).toEqual(planned(dry));
  expect(real.plan.filter((e) => !e.done)).toEqual([]);
  expect(real.run).toEqual(expect.objectContaining({ status: 'completed', dryRun: false, manifestsDeleted: 7 }));
  expect(real.run.bytesFreed).toBeGreaterThan(2000 + 300 + 1024);
  // collected
  for (const m of [untagged, sharing, subject, deadSig, ...deadChildren]) expect(await manifestStatus(repo, m.digest)).toBe(404);
  expect(await manifestStatus(repo, deadIndexDigest)).toBe(404);
  for (const b of untaggedBlobs) expect(await blobStatus(repo, b)).toBe(404);
  expect(await h.blobs.stat(failedKey)).toBeNull();
  expect(real.plan.filter((e) => e.kind === 'object' && e.key?.startsWith('manifests/'))).toHaveLength(1); // the superseded body
  const gone = await h.client.getManifest(repo, untagged.digest);
  expect(await errorCodes(gone)).toEqual(['MANIFEST_UNKNOWN']);
  // kept, and whole
  for (const ref of ['v1', 'multi', 'big', liveSig.digest, young.digest]) expect([ref, await pullsWhole(h.client, repo, ref)]).toEqual([ref, true]);
  expect(await blobStatus(repo, taggedLayer)).toBe(200);
  expect((await h.client.getManifest(repo, 'big')).headers.get('docker-content-digest')).toBe(big.digest);
  const referrers = await (await h.client.fetch(`/v2/${repo}/referrers/${tagged.digest}`)).json() as { manifests: Array<{ digest: string }> };
  expect(referrers.manifests.map((m) => m.digest)).toEqual([liveSig.digest]);
  expect(liveIndex.digest).toBeDefined();
  expect(await h.audit()).toEqual([]);
  // a second run finds nothing more to do
  const again = await h.collect({ graceMs: grace(), orphanMinAgeMs: 0 });
  expect(again.plan).toEqual([]);
  const history = await h.gc.listRuns(10);
  expect(history.map((r) => [r.runId, r.status, r.dryRun])).toEqual([[again.run.runId, 'completed', false], [real.run.runId, 'completed', false], [dry.run.runId, 'completed', true]]);
});

test('a blob record left deleting by a run that died is finished by the next run, whatever its grace; the blob can be pushed again', async () => {
  const repo = uniqueRepo('gc-dying');
  const bytes = randomBytes(200);
  const { digest } = await h.client.pushBlob(repo, bytes);
  const objectKey = (await h.gc.readBlob(digest))!.objectKey;
  const unlinked = await h.client.fetch(`/v2/${repo}/blobs/${digest}`, { method: 'DELETE' });
  expect(unlinked.status).toBe(202);
  expect(await h.gc.condemnBlob(digest, 'dead-run', Date.now() + 1)).toBe(true);
  expect(await h.gc.markBlobDeleting(digest, 'dead-run')).toBe(true);

  const report = await h.collect({ graceMs: 86_400_000 });

  expect(report.plan.filter((e) => e.digest === digest)).toEqual([
    { kind: 'blob', digest, key: objectKey, bytes: 200, reason: 'left deleting by run dead-run', done: true },
  ]);
  expect(await h.gc.readBlob(digest)).toBeNull();
  expect(await h.blobs.stat(objectKey)).toBeNull();
  await h.client.pushBlob(repo, bytes);
  expect(sha256(await h.client.pullBlobBytes(repo, digest))).toBe(digest);
});
