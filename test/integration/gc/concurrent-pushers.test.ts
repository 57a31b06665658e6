/**
 * 50 clients pushing images that share a base layer while the test deletes tags and two collectors (two hosts) run
 * again and again with no grace period: every PUT that answered 201 pulls whole afterwards (unless the test
 * deleted its tag), and the storage is sound (no tag or manifest naming a missing link, record or object).
 */
import { randomBytes, uniqueRepo } from '../http/client';
import type { GcReport } from '../../../lambda/core/gc';
import { gcHarnessForThisFile } from './gc-fixture';
import { newImage, pullsWhole, pushLikeDocker } from './race-helpers';

const h = gcHarnessForThisFile();

const PUSHERS = 50;
const REPOSITORIES = 5;

test('50 pushers sharing a base layer, tags deleted, two collectors running throughout with grace 0: every 201 pulls whole', async () => {
  const repos = Array.from({ length: REPOSITORIES }, () => uniqueRepo('gc-many'));
  const base = randomBytes(512);
  const pushed: Array<{ repo: string; tag: string; digest: string; status: number; codes: string[]; deleted: boolean }> = [];
  let pushing = true;
  const reports: GcReport[] = [];
  // Two collectors, as on two hosts at once.
  const collector = Promise.all([0, 1].map(async () => {
    while (pushing) reports.push(await h.collect({ orphanMinAgeMs: 0 }));
  }));

  const pushers = Promise.all(Array.from({ length: PUSHERS }, async (_, i) => {
    const repo = repos[i % REPOSITORIES]!;
    const tag = `p${i}`;
    const result = await pushLikeDocker(h.client, repo, tag, { config: newImage().config, layers: [base] }, 10);
    const entry = { repo, tag, digest: result.digest, status: result.status, codes: result.codes, deleted: false };
    pushed.push(entry);
    if (result.status === 201 && i % 3 === 0) {
      const res = await h.client.fetch(`/v2/${repo}/manifests/${tag}`, { method: 'DELETE' });
      await res.arrayBuffer();
      expect(res.status).toBe(202);
      entry.deleted = true;
    }
  }));
  try {
    await pushers;
  } finally {
    pushing = false;
    await collector;
  }
  reports.push(await h.collect({ orphanMinAgeMs: 0 }));

  expect(reports.length).toBeGreaterThan(2);
  expect(reports.filter((r) => r.run.status !== 'completed')).toEqual([]);
  // With no grace period a pusher can lose its blobs to the collector before its PUT, five times over: then
  // it was told so (never a 201), and nothing is stored under its tag.
  const lost = pushed.filter((p) => p.status !== 201);
  expect(lost.map((p) => [p.status, p.codes])).toEqual(lost.map(() => [400, ['MANIFEST_BLOB_UNKNOWN']]));
  // How many lose depends on how the two collectors and the pushers share the cores. Since a manifest PUT
  // checks its links (not condemned) instead of renewing them, a collector at grace 0 that condemns a link
  // between the PUT's read and its transaction fails the PUT: 49 of 50 lost once in CI even with retries.
  // At least one must get through for the checks below to mean something.
  expect(PUSHERS - lost.length).toBeGreaterThanOrEqual(1);
  for (const p of lost) expect((await h.client.getManifest(p.repo, p.tag, 'HEAD')).status).toBe(404);
  const kept = pushed.filter((x) => x.status === 201 && !x.deleted);
  const pulls = await Promise.all(kept.map(async (p) => [p.tag, await pullsWhole(h.client, p.repo, p.tag)]));
  expect(pulls).toEqual(kept.map((p) => [p.tag, true]));
  const deleted = pushed.filter((x) => x.deleted);
  expect(reports.reduce((n, r) => n + r.run.manifestsDeleted, 0)).toBe(deleted.length);
  const statuses = await Promise.all(deleted.map(async (p) => (await h.client.getManifest(p.repo, p.digest, 'HEAD')).status));
  expect(statuses).toEqual(deleted.map(() => 404));
  expect(await h.audit()).toEqual([]);
}, 120_000);
