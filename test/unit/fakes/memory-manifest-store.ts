import { randomUUID } from 'node:crypto';
import type { Descriptor } from '../../../lambda/oci/manifest';
import type { BlobRecord } from '../../../lambda/ports/blob-index';
import type { GcMarks } from '../../../lambda/ports/gc-store';
import {
  ImmutableTagError, ManifestRecord, ManifestStore, ManifestSummary, PutManifestOptions, PutReferences, ReferenceMissingError, TAG_COPY_MAX_BYTES,
  TagRecord, TagSummaryPage,
} from '../../../lambda/ports/manifest-store';
import { MemoryCatalog, pageOf } from './memory-catalog';
import type { StoredBlob } from './memory-blob-index';

/** A manifest as stored: the port's record and the collector's marks. */
export type StoredManifest = ManifestRecord & GcMarks;

/** A tag as stored: its manifest, the write that made it, and the manifest's inline copy when small. */
interface StoredTag {
  digest: string;
  writeId: string;
  manifest?: ManifestRecord;
  summary?: ManifestSummary;
  pushedAt?: number;
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
  readonly manifests = new Map<string, StoredManifest>();
  /** By repository, then tag. */
  readonly tags = new Map<string, Map<string, StoredTag>>();
  /** By `repo@subject`, then the referrer's digest. */
  readonly referrers = new Map<string, Map<string, Descriptor>>();
  /** `links` are the blob index's, by `repo@digest`: a put renews the ones its manifest names. */
  constructor(private readonly catalog: MemoryCatalog, private readonly links: Map<string, StoredBlob> = new Map()) {}

  async getManifest(repo: string, digest: string) { return record(this.manifests.get(`${repo}@${digest}`)); }
  async getTag(repo: string, tag: string): Promise<TagRecord | null> {
    const t = this.tags.get(repo)?.get(tag);
    return t ? { tag, digest: t.digest, manifest: clone(t.manifest) } : null;
  }
  async missingManifests(repo: string, digests: string[]) { return digests.filter((d) => !this.manifests.has(`${repo}@${d}`)); }
  async manifestSummaries(repo: string, digests: string[]): Promise<Map<string, ManifestSummary | undefined>> {
    const found = new Map<string, ManifestSummary | undefined>();
    for (const d of digests) {
      const m = this.manifests.get(`${repo}@${d}`);
      if (m) found.set(d, structuredClone(m.summary));
    }
    return found;
  }

  async readForPut(repo: string, blobs: string[], manifests: string[]): Promise<PutReferences> {
    const read: PutReferences = { links: new Map(), manifests: new Map(), listed: await this.catalog.repositoryExists(repo) };
    for (const d of blobs) {
      const link = this.links.get(`${repo}@${d}`);
      if (link) read.links.set(d, linkCopy(link));
    }
    for (const d of manifests) {
      const m = this.manifests.get(`${repo}@${d}`);
      if (m) read.manifests.set(d, { summary: structuredClone(m.summary), condemned: m.gcState !== undefined });
    }
    return read;
  }

  async putManifest(repo: string, m: ManifestRecord, tags: string[], options: PutManifestOptions) {
    const { now } = options;
    const immutable = new Set(options.immutableTags ?? []);
    const writeId = randomUUID();
    const copy = m.body && m.size <= TAG_COPY_MAX_BYTES ? tagCopy(m) : undefined;
    const refs = options.referencesMayBeAbsent ? [] : [...(m.blobs ?? []).map((d) => ({ d, item: () => this.links.get(`${repo}@${d}`) })),
      ...(m.children ?? []).map((d) => ({ d, item: () => this.manifests.get(`${repo}@${d}`) }))];
    // As the adapter: references that do not fit beside the manifest are renewed in writes of their own first.
    const firstRefs = Math.max(0, WRITE_MAX_ITEMS - 1);
    const overflow = refs.slice(firstRefs);
    for (let i = 0; i < overflow.length; i += WRITE_MAX_ITEMS) {
      await turn();
      renew(overflow.slice(i, i + WRITE_MAX_ITEMS), now);
    }
    type Write = { check?: () => void; apply: () => void };
    const writes: Write[] = [
      {
        // As the adapter's ConditionChecks: each must exist and not be condemned; none is written.
        check: () => checkable(refs.slice(0, firstRefs)),
        apply: () => {
          const old = this.manifests.get(`${repo}@${m.digest}`);
          this.manifests.set(`${repo}@${m.digest}`, { ...clone(m)!, pushedAt: now, touchedAt: now, lastPulledAt: old?.lastPulledAt });
        },
      },
      ...tags.map((t) => ({
        check: immutable.has(t) ? () => {
          const stored = this.repoTags(repo).get(t);
          if (stored && stored.digest !== m.digest) throw new ImmutableTagError(t);
        } : undefined,
        apply: () => {
          this.repoTags(repo).set(t, { digest: m.digest, writeId, manifest: clone(copy), summary: structuredClone(m.summary), pushedAt: now });
        },
      })),
    ];
    if (!options.listed) this.catalog.add(repo);
    if (m.subject) writes.push({ apply: () => { this.subjectReferrers(repo, m.subject!).set(m.digest, descriptorOf(m)); } });
    const groups = groupWrites(writes.length, refs.length);
    for (const [start, end] of groups) {
      await turn();
      const group = writes.slice(start, end);
      for (const w of group) w.check?.();
      for (const w of group) w.apply();
    }
  }

  async recordPull(repo: string, digest: string, at: number, notSince: number) {
    const m = this.manifests.get(`${repo}@${digest}`);
    if (!m || (m.lastPulledAt !== undefined && m.lastPulledAt >= notSince)) return false;
    m.lastPulledAt = at;
    return true;
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
  async listTagSummaries(repo: string, n: number, last?: string, contains?: string): Promise<TagSummaryPage> {
    const names = [...(this.tags.get(repo)?.keys() ?? [])].filter((t) => contains === undefined || t.includes(contains));
    const page = pageOf(names, n, last);
    const items = page.items.map((tag) => {
      const t = this.tags.get(repo)!.get(tag)!;
      const m = this.manifests.get(`${repo}@${t.digest}`);
      return {
        tag, digest: t.digest, summary: structuredClone(t.summary), pushedAt: t.pushedAt ?? m?.pushedAt, lastPulledAt: m?.lastPulledAt,
        manifest: m ? { mediaType: m.mediaType, size: m.size } : undefined,
      };
    });
    return { items, more: page.more };
  }
  async tagsOf(repo: string, digest: string, limit: number) {
    return [...(this.tags.get(repo) ?? [])].filter(([, t]) => t.digest === digest).map(([tag]) => tag).sort().slice(0, limit);
  }
  async countTags(repo: string) { return this.tags.get(repo)?.size ?? 0; }
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

/** The port's record of a stored manifest (without the collector's run id), absent fields left out. */
function record(m: StoredManifest | undefined): ManifestRecord | null {
  if (!m) return null;
  const { gcRun: _run, ...rest } = structuredClone(m);
  for (const k of Object.keys(rest) as Array<keyof typeof rest>) if (rest[k] === undefined) delete rest[k];
  return rest;
}

/** What a tag keeps of its manifest: what a pull needs, not the collector's bookkeeping. */
function tagCopy(m: ManifestRecord): ManifestRecord {
  const { blobs: _b, children: _c, pushedAt: _p, lastPulledAt: _l, touchedAt: _t, ...rest } = m;
  return rest;
}

/** A reference a put renews: its digest and the item it names now (undefined when gone). */
interface Reference {
  d: string;
  item: () => GcMarks | undefined;
}

/** ReferenceMissingError naming every reference whose item is gone. */
function renewable(refs: Reference[]): void {
  const missing = refs.filter((r) => !r.item()).map((r) => r.d);
  if (missing.length > 0) throw new ReferenceMissingError(missing);
}

/** Every reference exists and is not condemned (the adapter's ConditionCheck), else ReferenceMissingError. */
function checkable(refs: Reference[]): void {
  const missing = refs.filter((r) => { const item = r.item(); return !item || item.gcState !== undefined; }).map((r) => r.d);
  if (missing.length > 0) throw new ReferenceMissingError(missing);
}

/** A link as the port returns it, without the run id. */
function linkCopy(link: StoredBlob): BlobRecord {
  const { gcRun: _run, ...rest } = link;
  for (const k of Object.keys(rest) as Array<keyof BlobRecord>) if (rest[k] === undefined) delete rest[k];
  return { ...rest };
}

/** touchedAt = now and the condemned mark removed, on every reference (all present, or none written). */
function renew(refs: Reference[], now: number): void {
  renewable(refs);
  for (const r of refs) Object.assign(r.item()!, { touchedAt: now, gcState: undefined, gcRun: undefined });
}

/**
 * The writes' ranges of one all-or-nothing write each, as the adapter's transactions: the first holds the
 * manifest with as many references as fit (counted as items), then tags, catalog and referrer in order.
 */
function groupWrites(count: number, references: number): Array<[number, number]> {
  const groups: Array<[number, number]> = [];
  const firstSize = Math.max(1, WRITE_MAX_ITEMS - Math.min(references, WRITE_MAX_ITEMS - 1));
  groups.push([0, Math.min(count, firstSize)]);
  for (let i = firstSize; i < count; i += WRITE_MAX_ITEMS) groups.push([i, Math.min(count, i + WRITE_MAX_ITEMS)]);
  return groups;
}
