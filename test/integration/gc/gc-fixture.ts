/**
 * A registry for one GC test file (the Node host on the real local S3 and DynamoDB Local, pushed to over
 * HTTP), the collector wired to the same bucket and table, and an audit of what the storage holds.
 */
import { DynamoDbGcStore } from '../../../lambda/adapters/dynamodb/dynamodb-gc-store';
import { createDocumentClient } from '../../../lambda/adapters/dynamodb/table';
import { S3BlobStore } from '../../../lambda/adapters/s3/s3-blob-store';
import { createS3Client } from '../../../lambda/adapters/s3/s3-client';
import { collectGarbage, GcOptions, GcReport } from '../../../lambda/core/gc';
import { uploadIdOf } from '../../../lambda/core/gc/plan';
import { withReferences } from '../../../lambda/core/gc/references';
import type { GcStore } from '../../../lambda/ports/gc-store';
import { silentLogger } from '../../../lambda/shared/logger';
import { startTestRegistry, TestRegistry, TestRegistryOptions } from '../harness';
import { RegistryClient } from '../http/client';

export interface GcHarness {
  client: RegistryClient;
  gc: GcStore;
  blobs: S3BlobStore;
  /** One collector run on the registry's storage (grace 0, not dry, unless told). */
  collect(opts?: Partial<GcOptions>): Promise<GcReport>;
  /** What is broken in the storage (empty when sound); objects without a record count when older than `orphanAgeMs`. */
  audit(orphanAgeMs?: number): Promise<string[]>;
}

/** Starts the registry before the file's tests and stops it after them. Call at the top level of a test file. */
export function gcHarnessForThisFile(opts: TestRegistryOptions = {}): GcHarness {
  let registry: TestRegistry | undefined;
  const h = { client: new RegistryClient('http://registry-not-started-yet') } as GcHarness;
  beforeAll(async () => {
    registry = await startTestRegistry(opts);
    const s = registry.settings!;
    h.client.base = registry.url;
    h.gc = new DynamoDbGcStore(createDocumentClient(s.dynamodb), s.table);
    h.blobs = new S3BlobStore({ client: createS3Client(s.s3), bucket: s.bucket });
    h.collect = (o = {}) => collectGarbage(
      { gc: h.gc, blobs: h.blobs, logger: silentLogger, now: Date.now },
      { graceMs: 0, dryRun: false, host: 'test', ...o },
    );
    h.audit = (age = 0) => audit(h.gc, h.blobs, age);
  });
  afterAll(async () => {
    await registry?.stop();
  });
  return h;
}

async function audit(gc: GcStore, blobs: S3BlobStore, orphanAgeMs: number): Promise<string[]> {
  const problems: string[] = [];
  const snapshot = await gc.snapshot();
  const records = new Map(snapshot.blobs.map((b) => [b.digest, b]));
  const known = new Set(snapshot.blobs.map((b) => b.objectKey));
  for (const raw of snapshot.repositories) {
    const repo = await withReferences(raw, blobs, silentLogger);
    const manifests = new Set(repo.manifests.map((m) => m.digest));
    const links = new Set(repo.links.map((l) => l.digest));
    for (const t of repo.tags) if (!manifests.has(t.digest)) problems.push(`${repo.repository}:${t.tag} -> missing manifest ${t.digest}`);
    for (const m of repo.manifests) {
      if (m.bodyKey) {
        known.add(m.bodyKey);
        if (!(await blobs.stat(m.bodyKey))) problems.push(`${repo.repository}@${m.digest}: body object ${m.bodyKey} missing`);
      }
      for (const b of m.blobs ?? []) {
        if (!links.has(b)) problems.push(`${repo.repository}@${m.digest} names ${b}: no link`);
        if (!records.has(b)) problems.push(`${repo.repository}@${m.digest} names ${b}: no blob record`);
      }
      for (const c of m.children ?? []) if (!manifests.has(c)) problems.push(`${repo.repository}@${m.digest} names missing child ${c}`);
    }
    for (const l of repo.links) if (!records.has(l.digest)) problems.push(`${repo.repository} links ${l.digest}: no blob record`);
  }
  const stats = await Promise.all(snapshot.blobs.map((b) => blobs.stat(b.objectKey)));
  snapshot.blobs.forEach((b, i) => stats[i] || problems.push(`blob ${b.digest}: object ${b.objectKey} missing`));
  const sessions = new Set(snapshot.uploadIds);
  const olderThan = Date.now() - orphanAgeMs;
  for (const prefix of ['blobs/', 'manifests/', 'uploads/']) {
    for (const o of await blobs.listObjects(prefix, undefined, 100_000)) {
      const id = uploadIdOf(o.key);
      if (!known.has(o.key) && o.lastModified < olderThan && !(id && sessions.has(id))) problems.push(`object ${o.key} has no record`);
    }
  }
  return problems;
}
