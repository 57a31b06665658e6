import { randomUUID } from 'node:crypto';
import type { Descriptor } from '../../../lambda/oci/manifest';
import {
  ManifestRecord, ManifestStore, TAG_COPY_MAX_BYTES, TagRecord,
} from '../../../lambda/ports/manifest-store';
import { MemoryCatalog, pageOf } from './memory-catalog';

/** A tag as stored: its manifest, the write that made it, and the manifest's inline copy when small. */
interface StoredTag {
  digest: string;
  writeId: string;
  manifest?: ManifestRecord;
}

/** Items per all-or-nothing write, as DynamoDB's TransactWriteItems. */
const WRITE_MAX_ITEMS = 100;

/** Lets other calls run between the steps of one, as the adapter's separate requests do. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * ManifestStore in memory, with the adapter's semantics: inline copies in tags, writes of at most 100
 * items with other calls running between them, and deletes that spare tags a later put wrote.
 */
export class MemoryManifestStore implements ManifestStore {
  /** By `repo@digest`. */
  readonly manifests = new Map<string, ManifestRecord>();
  /** By repository, then tag. */
  readonly tags = new Map<string, Map<string, StoredTag>>();
  /** By `repo@subject`, then the referrer's digest. */
  readonly referrers = new Map<string, Map<string, Descriptor>>();
  constructor(private readonly catalog: MemoryCatalog) {}

  async getManifest(repo: string, digest: string) { return clone(this.manifests.get(`${repo}@${digest}`)) ?? null; }
  async getTag(repo: string, tag: string): Promise<TagRecord | null> {
    const t = this.tags.get(repo)?.get(tag);
    return t ? { tag, digest: t.digest, manifest: clone(t.manifest) } : null;
  }
  async missingManifests(repo: string, digests: string[]) { return digests.filter((d) => !this.manifests.has(`${repo}@${d}`)); }

  async putManifest(repo: string, m: ManifestRecord, tags: string[]) {
    const writeId = randomUUID();
    const copy = m.body && m.size <= TAG_COPY_MAX_BYTES ? clone(m) : undefined;
    const writes: Array<() => void> = [
      () => this.manifests.set(`${repo}@${m.digest}`, clone(m)!),
      ...tags.map((t) => () => this.repoTags(repo).set(t, { digest: m.digest, writeId, manifest: copy })),
      () => this.catalog.add(repo),
    ];
    if (m.subject) writes.push(() => this.subjectReferrers(repo, m.subject!).set(m.digest, descriptorOf(m)));
    for (let i = 0; i < writes.length; i += WRITE_MAX_ITEMS) {
      await turn();
      for (const write of writes.slice(i, i + WRITE_MAX_ITEMS)) write();
    }
  }

  /** The adapter's steps: tags seen before the manifest goes are deleted if unchanged; later ones only while it is absent. */
  async deleteManifest(repo: string, digest: string) {
    const key = `${repo}@${digest}`;
    const before = this.tagsPointingAt(repo, digest);
    await turn();
    const old = this.manifests.get(key);
    if (!old) return false;
    this.manifests.delete(key);
    await turn();
    for (const [tag, writeId] of before) if (this.repoTags(repo).get(tag)?.writeId === writeId) this.repoTags(repo).delete(tag);
    await turn();
    if (this.manifests.has(key)) return true;
    for (const [tag] of this.tagsPointingAt(repo, digest)) this.repoTags(repo).delete(tag);
    if (old.subject) this.subjectReferrers(repo, old.subject).delete(digest);
    return true;
  }

  async deleteTag(repo: string, tag: string) { return this.repoTags(repo).delete(tag); }
  async listTags(repo: string, n: number, last?: string) { return pageOf([...(this.tags.get(repo)?.keys() ?? [])], n, last); }
  async listReferrers(repo: string, subject: string): Promise<Descriptor[]> {
    return [...(this.referrers.get(`${repo}@${subject}`)?.values() ?? [])].map((d) => structuredClone(d));
  }

  private tagsPointingAt(repo: string, digest: string): Array<[string, string]> {
    return [...this.repoTags(repo)].filter(([, t]) => t.digest === digest).map(([tag, t]) => [tag, t.writeId]);
  }

  private repoTags(repo: string): Map<string, StoredTag> {
    if (!this.tags.has(repo)) this.tags.set(repo, new Map());
    return this.tags.get(repo)!;
  }

  private subjectReferrers(repo: string, subject: string): Map<string, Descriptor> {
    const key = `${repo}@${subject}`;
    if (!this.referrers.has(key)) this.referrers.set(key, new Map());
    return this.referrers.get(key)!;
  }
}

function descriptorOf(m: ManifestRecord): Descriptor {
  return { mediaType: m.mediaType, digest: m.digest, size: m.size, artifactType: m.artifactType, annotations: m.annotations };
}

function clone(m: ManifestRecord | undefined): ManifestRecord | undefined {
  return m && structuredClone(m);
}
