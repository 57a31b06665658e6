import type { Digest } from '../../oci/digest';
import { OciError } from '../../oci/errors';
import type { ManifestRecord } from '../../ports/manifest-store';
import { UpstreamUnavailableError } from '../../ports/upstream-registry';
import type { MirrorDeps, RegistryDeps } from '../config';
import { UpstreamDigestMismatch } from './manifest-copy';
import { MirroredBlobAnswer, MirroredBlobs } from './mirrored-blobs';
import { MirroredManifests } from './mirrored-manifests';
import { MirroredOrigin, MirrorRules } from './mirror-rules';
import { DEFAULT_RETRY_AFTER_SECONDS, isUpstreamError, UpstreamClients, upstreamFailure } from './upstream-clients';

/**
 * The pull-through cache (registry mirror), one per registry: which repositories are mirrored, their
 * manifests and blobs filled from the upstream on first pull, and the refusal of pushes into them. Every
 * method answers null for a local repository: the caller takes the normal path.
 */
export class PullThrough {
  readonly rules: MirrorRules;
  private readonly manifests: MirroredManifests;
  private readonly blobs: MirroredBlobs;

  constructor(private readonly deps: RegistryDeps & { mirror: MirrorDeps }) {
    const { store, credentials, upstream } = deps.mirror;
    this.rules = new MirrorRules(store, deps.meta, deps.now);
    const clients = new UpstreamClients(upstream, credentials, deps.now, deps.logger);
    const mark = async (repository: string, origin: MirroredOrigin) => {
      if (origin.marked) return;
      await store.markMirrored({ repository, prefix: origin.match.rule.prefix, since: deps.now() });
      this.rules.marked(repository, origin.match);
      origin.marked = true;
    };
    this.manifests = new MirroredManifests(deps, store, clients, mark);
    this.blobs = new MirroredBlobs(deps, store, clients, mark);
  }

  /** DENIED when the repository was filled from an upstream: it is read-only here (an unfilled name may be pushed). */
  async refusePush(repository: string): Promise<void> {
    const origin = await this.rules.originOf(repository);
    if (origin.kind !== 'mirrored' || !origin.marked) return;
    const { rule } = origin.match;
    throw new OciError('DENIED', `${repository} is a mirror of ${rule.upstream} (rule '${rule.prefix}'): it is read-only; push to another name`);
  }

  /** A mirrored repository's manifest by tag (checked upstream once per tag TTL), or null for a local repository. */
  async manifestByTag(repository: string, tag: string): Promise<ManifestRecord | null> {
    const origin = await this.rules.originOf(repository);
    if (origin.kind !== 'mirrored') return null;
    return this.answering(repository, `manifest ${tag}`, () => this.manifests.byTag(repository, tag, origin));
  }

  /**
   * A manifest the repository does not hold, filled from upstream when it is mirrored; null for a local
   * repository. An unfilled name whose upstream is down answers unknown (404), not 503: pushers (containerd)
   * HEAD a manifest by digest before pushing it to a new name, and must not fail because the upstream is down.
   */
  async manifestByDigest(repository: string, digest: Digest): Promise<ManifestRecord | null> {
    const origin = await this.rules.originOf(repository);
    if (origin.kind !== 'mirrored') return null;
    const fill = () => this.manifests.byDigest(repository, digest, origin);
    return this.answering(repository, `manifest ${digest.value}`, fill, { unknown: 'MANIFEST_UNKNOWN', unknownWhenDown: !origin.marked });
  }

  /**
   * HEAD of a blob the repository has no link to: its size per the upstream, or null for a local repository
   * or one not filled yet (a pull starts with a manifest, which marks it; a push HEADs blobs of a new name,
   * which must not wait for, or fail with, the upstream).
   */
  async headBlob(repository: string, digest: Digest): Promise<{ size: number } | null> {
    const origin = await this.rules.originOf(repository);
    if (origin.kind !== 'mirrored' || !origin.marked) return null;
    return this.answering(repository, `blob ${digest.value}`, () => this.blobs.head(repository, digest, origin), { unknown: 'BLOB_UNKNOWN' });
  }

  /** GET of a blob the repository has no link to: filled and linked, or where it is filled; null as for headBlob. */
  async getBlob(repository: string, digest: Digest): Promise<MirroredBlobAnswer | null> {
    const origin = await this.rules.originOf(repository);
    if (origin.kind !== 'mirrored' || !origin.marked) return null;
    return this.answering(repository, `blob ${digest.value}`, () => this.blobs.get(repository, digest, origin), { unknown: 'BLOB_UNKNOWN' });
  }

  /**
   * Runs a fill and turns upstream failures into answers: unavailable -> 503 with Retry-After, refused ->
   * unknown, bytes that do not match their digest -> 503 (logged as the upstream's fault; nothing stored).
   */
  private async answering<T>(
    repository: string, what: string, work: () => Promise<T>,
    opts: { unknown: 'MANIFEST_UNKNOWN' | 'BLOB_UNKNOWN'; unknownWhenDown?: boolean } = { unknown: 'MANIFEST_UNKNOWN' },
  ): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (isUpstreamError(err)) {
        this.deps.logger.warn('mirror: upstream failed', { repository, what, upstream: err.upstream, reason: err.reason });
        if (opts.unknownWhenDown && err instanceof UpstreamUnavailableError) {
          throw new OciError(opts.unknown, `${what} not found in ${repository} (its upstream is unavailable)`);
        }
        throw upstreamFailure(err, () => new OciError(opts.unknown, `${what} not found in ${repository}`));
      }
      if (err instanceof UpstreamDigestMismatch) {
        this.deps.logger.error('mirror: upstream fault: content does not match its digest; nothing stored', {
          repository, what, expected: err.expected, actual: err.actual,
        });
        throw new OciError('UNAVAILABLE', `the upstream sent ${what} with the wrong content (digest ${err.expected} expected); nothing was stored`, {
          headers: { 'retry-after': String(DEFAULT_RETRY_AFTER_SECONDS) },
        });
      }
      throw err;
    }
  }
}
