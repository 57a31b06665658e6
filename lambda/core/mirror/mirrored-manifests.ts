import { Digest, parseDigest } from '../../oci/digest';
import { OciError } from '../../oci/errors';
import type { BlobIndex } from '../../ports/blob-index';
import type { ManifestRecord, ManifestStore } from '../../ports/manifest-store';
import type { MirrorStore } from '../../ports/mirror-store';
import type { DepsUsing } from '../config';
import { fillOnce } from './fill-lease';
import { digestOf, storeUpstreamManifest, tagStoredManifest, UpstreamDigestMismatch } from './manifest-copy';
import type { MarkRepository, MirroredOrigin } from './mirror-rules';
import { SingleFlight } from './single-flight';
import type { UpstreamClients } from './upstream-clients';
import { isUpstreamError, reasonOf } from './upstream-clients';

/**
 * Manifests of mirrored repositories. By digest: the local copy, else the upstream's bytes, verified and
 * stored (digests never change, so never asked again). By tag: the local tag while its last upstream check
 * is younger than the rule's tagTtlSeconds; else a HEAD upstream (which Docker Hub does not count), and a
 * GET by digest only when the tag moved. An upstream that cannot answer leaves the stale local tag served.
 * Upstream failures are thrown as they are (UpstreamError, UpstreamDigestMismatch): the caller maps them.
 */
export class MirroredManifests {
  private readonly tagFlights = new SingleFlight<ManifestRecord>();
  private readonly digestFlights = new SingleFlight<ManifestRecord>();

  constructor(
    private readonly deps: DepsUsing<ManifestStore & BlobIndex>,
    private readonly store: Pick<MirrorStore, 'getTagCheck' | 'putTagCheck' | 'acquireLease' | 'releaseLease'>,
    private readonly clients: UpstreamClients,
    private readonly mark: MarkRepository,
  ) {}

  /** The manifest a tag of a mirrored repository points at, checked upstream at most once per tag TTL. */
  async byTag(repository: string, tag: string, origin: MirroredOrigin): Promise<ManifestRecord> {
    const { now } = this.deps;
    const [check, local] = await Promise.all([this.store.getTagCheck(repository, tag), this.localTag(repository, tag)]);
    const ttlMs = origin.match.rule.tagTtlSeconds * 1000;
    if (local && check?.digest === local.digest && now() - check.checkedAt < ttlMs) return local;
    return this.tagFlights.run(`${repository}:${tag}`, () => this.refreshTag(repository, tag, origin, local));
  }

  /** A manifest by digest: the local copy, else filled from upstream (one GET across hosts, by lease). */
  async byDigest(repository: string, digest: Digest, origin: MirroredOrigin): Promise<ManifestRecord> {
    const local = await this.deps.meta.getManifest(repository, digest.value);
    return local ?? this.fill(repository, digest, origin);
  }

  private async refreshTag(repository: string, tag: string, origin: MirroredOrigin, local: ManifestRecord | null): Promise<ManifestRecord> {
    const { rule, upstreamName } = origin.match;
    try {
      const client = await this.clients.forRule(rule);
      const head = await client.headManifest(upstreamName, tag);
      if (!head) throw new OciError('MANIFEST_UNKNOWN', `tag ${tag} not found in ${repository} (nor at its upstream ${rule.upstream})`);
      const digest = validDigest(head.digest);
      let record: ManifestRecord;
      if (digest && local?.digest === digest.value) record = local;
      else if (digest) {
        record = await this.byDigest(repository, digest, origin);
        await tagStoredManifest(this.deps, repository, record, [tag]);
      } else {
        // No digest in the HEAD (not every upstream sends one): the GET by tag tells it.
        const got = await client.getManifest(upstreamName, tag);
        if (!got) throw new OciError('MANIFEST_UNKNOWN', `tag ${tag} not found in ${repository} (nor at its upstream ${rule.upstream})`);
        const sent = validDigest(got.digest);
        const expected = sent ?? parseDigest(digestOf(got.bytes, 'sha256'));
        await this.mark(repository, origin);
        record = await storeUpstreamManifest(this.deps, repository, got, expected, [tag]);
      }
      await this.store.putTagCheck({ repository, tag, digest: record.digest, checkedAt: this.deps.now() });
      return record;
    } catch (err) {
      // Anything that kept the upstream from answering (down, 429, refused, lying, credentials unreadable,
      // another host's fill outlasting the wait): the copy held is better than an error.
      const unanswered = isUpstreamError(err) || err instanceof UpstreamDigestMismatch || (err instanceof OciError && err.code === 'UNAVAILABLE');
      if (local && unanswered) {
        this.deps.logger.warn('mirror: serving stale tag, upstream unavailable', {
          repository, tag, digest: local.digest, upstream: rule.upstream, reason: reasonOf(err),
        });
        return local;
      }
      throw err;
    }
  }

  /** Fetches, verifies and stores a manifest by digest: one process-wide call per digest, one host at a time. */
  private fill(repository: string, digest: Digest, origin: MirroredOrigin): Promise<ManifestRecord> {
    const { meta, config, now } = this.deps;
    const key = `manifest:${repository}@${digest.value}`;
    return this.digestFlights.run(key, () => fillOnce(key, {
      store: this.store, now, leaseMs: config.mirrorLeaseSeconds * 1000, waitMs: config.mirrorWaitSeconds * 1000,
      what: `manifest ${digest.value}`,
    }, () => meta.getManifest(repository, digest.value), async () => {
      const { rule, upstreamName } = origin.match;
      const client = await this.clients.forRule(rule);
      const got = await client.getManifest(upstreamName, digest.value);
      if (!got) throw new OciError('MANIFEST_UNKNOWN', `manifest ${digest.value} not found in ${repository} (nor at its upstream ${rule.upstream})`);
      const sent = digestOf(got.bytes, digest.algorithm);
      if (sent !== digest.value) throw new UpstreamDigestMismatch(digest.value, sent);
      await this.mark(repository, origin);
      return storeUpstreamManifest(this.deps, repository, got, digest, []);
    }));
  }

  private async localTag(repository: string, tag: string): Promise<ManifestRecord | null> {
    const found = await this.deps.meta.getTag(repository, tag);
    if (!found) return null;
    return found.manifest ?? (await this.deps.meta.getManifest(repository, found.digest));
  }
}

/** A digest header as sent, or undefined when absent or unusable (then the bytes' own digest is used). */
function validDigest(value: string | undefined): Digest | undefined {
  if (!value) return undefined;
  try {
    return parseDigest(value);
  } catch {
    return undefined;
  }
}
