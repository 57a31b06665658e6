/**
 * The collector paused between its steps while clients push (README "Never losing a push"): whatever the
 * interleaving, a manifest PUT that answers 201 pulls whole afterwards; otherwise it answers
 * 400 MANIFEST_BLOB_UNKNOWN and nothing is stored. Never 201 and then 404.
 */
import { errorCodes, MT, sha256, uniqueRepo } from '../http/client';
import { gcHarnessForThisFile } from './gc-fixture';
import { gate, headBlob, manifestOf, newImage, pullsWhole, putManifest } from './race-helpers';

const h = gcHarnessForThisFile();

/** A repository holding an image whose manifest was deleted: its blobs are linked, and nothing names them. */
async function orphanedImage() {
  const repo = uniqueRepo('gc-race');
  const image = newImage();
  for (const b of [image.config, ...image.layers]) await h.client.pushBlob(repo, b);
  expect((await putManifest(h.client, repo, 'gone', manifestOf(image))).status).toBe(201);
  const digest = sha256(manifestOf(image));
  const res = await h.client.fetch(`/v2/${repo}/manifests/${digest}`, { method: 'DELETE' });
  expect(res.status).toBe(202);
  return { repo, image };
}

/** Pushes a new manifest naming the orphaned blobs (a client that saw "exists"); the PUT's answer and whether it pulls. */
async function pushOnto(repo: string, image: ReturnType<typeof newImage>) {
  const put = await putManifest(h.client, repo, 'new', manifestOf(image, { annotations: { again: 'yes' } }));
  return { put, pulls: await pullsWhole(h.client, repo, 'new') };
}

/** 201 and whole, or 400 MANIFEST_BLOB_UNKNOWN and nothing under the tag. */
function expectConsistent(r: Awaited<ReturnType<typeof pushOnto>>) {
  if (r.put.status === 201) expect(r.pulls).toBe(true);
  else {
    expect(r.put).toEqual({ status: 400, codes: ['MANIFEST_BLOB_UNKNOWN'] });
    expect(r.pulls).toBe(false);
  }
}

test('(a) HEAD says the blob exists, the collector condemns it, then the manifest PUT: 201 and the image pulls whole', async () => {
  const { repo, image } = await orphanedImage();
  for (const b of [image.config, ...image.layers]) expect(await headBlob(h.client, repo, sha256(b))).toBe(200);
  const condemned = gate();
  const run = h.collect({ pauses: { afterCondemn: async (r) => (r === repo ? condemned.wait() : undefined) } });
  await condemned.reached;

  const r = await pushOnto(repo, image);
  condemned.open();
  const report = await run;

  expect(r.put.status).toBe(201); // the PUT rescued the condemned links in its transaction
  expectConsistent(r);
  expect(report.plan.filter((e) => e.kind === 'link' && e.repository === repo && e.done)).toEqual([]);
  expect(await pullsWhole(h.client, repo, 'new')).toBe(true);
  expect(await h.audit()).toEqual([]);
});

test('(a) the PUT lands after verify found the blobs garbage: the collector\'s conditional delete fails, the image pulls whole', async () => {
  const { repo, image } = await orphanedImage();
  const verified = gate();
  const run = h.collect({ pauses: { afterVerify: async (r) => (r === repo ? verified.wait() : undefined) } });
  await verified.reached;

  const r = await pushOnto(repo, image);
  verified.open();
  await run;

  expect(r.put.status).toBe(201);
  expect(await pullsWhole(h.client, repo, 'new')).toBe(true);
  expect(await h.audit()).toEqual([]);
});

test('(b) the PUT comes while the collector deletes the blob: 400 MANIFEST_BLOB_UNKNOWN, and a re-push then pulls whole', async () => {
  const { repo, image } = await orphanedImage();
  const deleting = gate();
  const layerDigest = sha256(image.layers[0]!);
  const run = h.collect({ pauses: { beforeObjectDelete: async () => deleting.wait() } });
  await deleting.reached;

  const r = await pushOnto(repo, image);
  deleting.open();
  await run;

  expect(r.put).toEqual({ status: 400, codes: ['MANIFEST_BLOB_UNKNOWN'] });
  expectConsistent(await pushOnto(repo, image));
  expect(await headBlob(h.client, repo, layerDigest)).toBe(404);
  for (const b of [image.config, ...image.layers]) await h.client.pushBlob(repo, b);
  const again = await pushOnto(repo, image);
  expect(again.put.status).toBe(201);
  expect(again.pulls).toBe(true);
  expect(await h.audit()).toEqual([]);
});

test('(c) a tag moved onto a condemned manifest while the collector reads the repository: the manifest stays and pulls whole', async () => {
  const repo = uniqueRepo('gc-race');
  const first = newImage();
  const second = newImage();
  for (const b of [first.config, ...first.layers, second.config, ...second.layers]) await h.client.pushBlob(repo, b);
  expect((await putManifest(h.client, repo, 'latest', manifestOf(first))).status).toBe(201);
  expect((await putManifest(h.client, repo, sha256(manifestOf(second)), manifestOf(second))).status).toBe(201); // untagged
  const condemned = gate();
  const run = h.collect({ pauses: { afterCondemn: async (r) => (r === repo ? condemned.wait() : undefined) } });
  await condemned.reached;

  const moved = await putManifest(h.client, repo, 'latest', manifestOf(second));
  condemned.open();
  const report = await run;

  expect(moved.status).toBe(201);
  expect(report.plan.filter((e) => e.repository === repo && e.done)).toEqual([]);
  expect(await pullsWhole(h.client, repo, 'latest')).toBe(true);
  expect((await h.client.getManifest(repo, 'latest', 'HEAD')).headers.get('docker-content-digest')).toBe(sha256(manifestOf(second)));
  expect(await pullsWhole(h.client, repo, sha256(manifestOf(first)))).toBe(true); // live when the run read it
  expect(await h.audit()).toEqual([]);
});

test('(c) a tag deleted after the snapshot: the run keeps what the snapshot saw tagged, the next run collects it', async () => {
  const repo = uniqueRepo('gc-race');
  const image = newImage();
  for (const b of [image.config, ...image.layers]) await h.client.pushBlob(repo, b);
  expect((await putManifest(h.client, repo, 'v1', manifestOf(image))).status).toBe(201);
  const snapshotted = gate();
  const run = h.collect({ pauses: { afterSnapshot: () => snapshotted.wait() } });
  await snapshotted.reached;

  expect((await h.client.fetch(`/v2/${repo}/manifests/v1`, { method: 'DELETE' })).status).toBe(202);
  snapshotted.open();
  const first = await run;
  const second = await h.collect();

  const digest = sha256(manifestOf(image));
  expect(first.plan.filter((e) => e.repository === repo)).toEqual([]);
  expect(second.plan.filter((e) => e.kind === 'manifest' && e.repository === repo && e.done).map((e) => e.digest)).toEqual([digest]);
  expect((await h.client.getManifest(repo, digest)).status).toBe(404);
  expect(await h.audit()).toEqual([]);
});

test('(c) an index tagged again after verify found it garbage: it pulls whole (201), or the put is refused naming its condemned child', async () => {
  const repo = uniqueRepo('gc-race');
  const child = newImage();
  for (const b of [child.config, ...child.layers]) await h.client.pushBlob(repo, b);
  expect((await putManifest(h.client, repo, sha256(manifestOf(child)), manifestOf(child))).status).toBe(201);
  const index = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: MT.ociIndex,
    manifests: [{ mediaType: MT.ociManifest, digest: sha256(manifestOf(child)), size: manifestOf(child).length }],
  }));
  expect((await h.client.putManifest(repo, 'multi', index, MT.ociIndex)).status).toBe(201);
  expect((await h.client.fetch(`/v2/${repo}/manifests/multi`, { method: 'DELETE' })).status).toBe(202);
  const verified = gate();
  const run = h.collect({ pauses: { afterVerify: async (r) => (r === repo ? verified.wait() : undefined) } });
  await verified.reached;

  const retagged = await h.client.putManifest(repo, 'multi', index, MT.ociIndex);
  verified.open();
  await run;

  if (retagged.status === 201) expect(await pullsWhole(h.client, repo, 'multi')).toBe(true);
  // The put checks its child (exists, not condemned) without renewing it: a condemned child refuses it.
  else expect(await errorCodes(retagged)).toEqual(['MANIFEST_BLOB_UNKNOWN']);
  expect(await h.audit()).toEqual([]);
});

test('(c) a subject pushed again after verify found its referrer garbage: the referrer stays', async () => {
  const repo = uniqueRepo('gc-race');
  const subject = newImage();
  for (const b of [subject.config, ...subject.layers]) await h.client.pushBlob(repo, b);
  const subjectBody = manifestOf(subject);
  expect((await putManifest(h.client, repo, 'v1', subjectBody)).status).toBe(201);
  const sig = newImage();
  for (const b of [sig.config, ...sig.layers]) await h.client.pushBlob(repo, b);
  const sigBody = manifestOf(sig, { subject: { mediaType: MT.ociManifest, digest: sha256(subjectBody), size: subjectBody.length } });
  expect((await putManifest(h.client, repo, sha256(sigBody), sigBody)).status).toBe(201);
  expect((await h.client.fetch(`/v2/${repo}/manifests/${sha256(subjectBody)}`, { method: 'DELETE' })).status).toBe(202);
  const verified = gate();
  const run = h.collect({ pauses: { afterVerify: async (r) => (r === repo ? verified.wait() : undefined) } });
  await verified.reached;

  const again = await putManifest(h.client, repo, 'v1', subjectBody);
  verified.open();
  await run;

  expect(again.status).toBe(201);
  const referrers = await (await h.client.fetch(`/v2/${repo}/referrers/${sha256(subjectBody)}`)).json() as { manifests: Array<{ digest: string }> };
  expect(referrers.manifests.map((m) => m.digest)).toEqual([sha256(sigBody)]);
  expect(await pullsWhole(h.client, repo, sha256(sigBody))).toBe(true);
  expect(await h.audit()).toEqual([]);
});
