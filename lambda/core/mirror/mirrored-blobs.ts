import { randomUUID } from 'node:crypto';
import type { Digest } from '../../oci/digest';
import { OciError } from '../../oci/errors';
import { BlobIndex, BlobRecord, BlobRecordGoneError } from '../../ports/blob-index';
import type { MirrorStore } from '../../ports/mirror-store';
import type { DepsUsing } from '../config';
import { storageKeys } from '../storage-layout';
import { sharedPartBufferPool } from '../uploads/part-buffer';
import { fillOnce } from './fill-lease';
import { UpstreamDigestMismatch } from './manifest-copy';
import type { MarkRepository, MirroredOrigin } from './mirror-rules';
import { SingleFlight } from './single-flight';
import { StreamTooLongError, streamToStore } from './stream-to-store';
import type { UpstreamClients } from './upstream-clients';

/** How a blob GET of a mirrored repository is answered: the linked record, or a redirect to the host that fills it. */
export type MirroredBlobAnswer = { kind: 'linked'; record: BlobRecord } | { kind: 'elsewhere'; location: string };

/** Rounds of record-then-link when the collector keeps deleting the record under us. */
const LINK_ROUNDS = 3;

/**
 * Blobs of mirrored repositories that are not linked there yet. The upstream is asked first (a HEAD) in
 * every case: a blob the registry already holds for another repository is linked only once the upstream
 * confirms that this repository has it there, so a mirrored name never opens another repository's private
 * blob. Cold blobs are streamed into the store once per digest across hosts (a lease), verified, recorded
 * and linked. Upstream failures are thrown as they are (UpstreamError, UpstreamDigestMismatch).
 */
export class MirroredBlobs {
  private readonly flights = new SingleFlight<MirroredBlobAnswer>();

  constructor(
    private readonly deps: DepsUsing<BlobIndex>,
    private readonly store: Pick<MirrorStore, 'acquireLease' | 'releaseLease'>,
    private readonly clients: UpstreamClients,
    private readonly mark: MarkRepository,
  ) {}

  /**
   * HEAD: the blob's size. Held elsewhere in the registry: linked here (the upstream confirmed it). Not
   * held: the upstream's answer, without fetching any bytes (Docker's daemon HEADs before it GETs).
   */
  async head(repository: string, digest: Digest, origin: MirroredOrigin): Promise<{ size: number }> {
    const upstreamSize = await this.confirmedUpstream(repository, digest, origin);
    const held = await this.held(digest);
    if (held && (await this.link(repository, held, origin))) return { size: held.size };
    return { size: upstreamSize };
  }

  /** GET: the blob linked here, filled from upstream first when the registry does not hold it. */
  get(repository: string, digest: Digest, origin: MirroredOrigin): Promise<MirroredBlobAnswer> {
    return this.flights.run(`${repository}@${digest.value}`, async () => {
      const size = await this.confirmedUpstream(repository, digest, origin);
      for (let round = 1; ; round++) {
        const held = await this.held(digest);
        if (held && (await this.link(repository, held, origin))) return { kind: 'linked', record: held };
        const { config } = this.deps;
        if (size > config.mirrorFillInlineMaxBytes) return this.tooLargeHere(repository, digest, size);
        const record = await this.fill(repository, digest, size, origin);
        if (await this.link(repository, record, origin)) return { kind: 'linked', record };
        if (round >= LINK_ROUNDS) throw new Error(`blob record ${digest.value} kept being deleted while it was filled`);
      }
    });
  }

  /** The upstream's size of the blob in this repository's upstream name; BLOB_UNKNOWN when it has none. */
  private async confirmedUpstream(repository: string, digest: Digest, origin: MirroredOrigin): Promise<number> {
    const { rule, upstreamName } = origin.match;
    const client = await this.clients.forRule(rule);
    const head = await client.headBlob(upstreamName, digest.value);
    if (!head) {
      throw new OciError('BLOB_UNKNOWN', `blob ${digest.value} not found in ${repository} (nor at its upstream ${rule.upstream})`, {
        detail: { digest: digest.value },
      });
    }
    return head.size;
  }

  /** The registry's record of the blob unless the collector is deleting it. */
  private async held(digest: Digest): Promise<BlobRecord | null> {
    const record = await this.deps.meta.getBlob(digest.value);
    return record && record.gcState !== 'deleting' ? record : null;
  }

  /** Marks the repository (first fill) and links the blob; false when the record went meanwhile. */
  private async link(repository: string, record: BlobRecord, origin: MirroredOrigin): Promise<boolean> {
    await this.mark(repository, origin);
    try {
      await this.deps.meta.linkBlob(repository, { digest: record.digest, size: record.size, objectKey: record.objectKey }, this.deps.now());
      return true;
    } catch (err) {
      if (err instanceof BlobRecordGoneError) return false;
      throw err;
    }
  }

  /**
   * A blob too large for this host to fetch within its request limit (the Lambda host): the upload service
   * (no time limit) fills it when there is one, else 503 saying why.
   */
  private tooLargeHere(repository: string, digest: Digest, size: number): MirroredBlobAnswer {
    const { uploadBaseUrl, mirrorFillInlineMaxBytes } = this.deps.config;
    if (uploadBaseUrl) return { kind: 'elsewhere', location: `${uploadBaseUrl.replace(/\/+$/, '')}/v2/${repository}/blobs/${digest.value}` };
    throw new OciError('UNAVAILABLE', `blob ${digest.value} (${size} bytes) is not cached and larger than this host fetches from `
      + `the upstream in one request (${mirrorFillInlineMaxBytes} bytes); deploy the upload service to mirror it`);
  }

  /** Streams the blob from upstream into the store once across hosts, verifies and records it. */
  private fill(repository: string, digest: Digest, size: number, origin: MirroredOrigin): Promise<BlobRecord> {
    const { config, now } = this.deps;
    const key = `blob:${digest.value}`;
    return fillOnce(key, {
      store: this.store, now, leaseMs: config.mirrorLeaseSeconds * 1000, waitMs: config.mirrorWaitSeconds * 1000,
      what: `blob ${digest.value}`,
    }, () => this.held(digest), () => this.fetch(repository, digest, size, origin));
  }

  private async fetch(repository: string, digest: Digest, size: number, origin: MirroredOrigin): Promise<BlobRecord> {
    const { blobs, config } = this.deps;
    const { rule, upstreamName } = origin.match;
    const client = await this.clients.forRule(rule);
    const got = await client.getBlob(upstreamName, digest.value);
    if (!got) throw new OciError('BLOB_UNKNOWN', `blob ${digest.value} not found in ${repository} (nor at its upstream ${rule.upstream})`);
    const objectKey = storageKeys.uploadObject(randomUUID());
    let stored;
    try {
      stored = await streamToStore(blobs, objectKey, got.body, {
        buffers: sharedPartBufferPool(config), partQueue: config.partQueue, maxBytes: size, algorithm: digest.algorithm,
      });
    } catch (err) {
      await got.cancel().catch(() => undefined);
      if (err instanceof StreamTooLongError) throw new UpstreamDigestMismatch(digest.value, `more than ${size} bytes`);
      throw err;
    }
    const actual = `${digest.algorithm}:${stored.hex}`;
    if (actual !== digest.value || stored.size !== size) {
      await blobs.delete(objectKey).catch(() => undefined);
      throw new UpstreamDigestMismatch(digest.value, `${actual} (${stored.size} of ${size} bytes)`);
    }
    return this.record({ digest: digest.value, size, objectKey });
  }

  /**
   * Records a filled blob; when a racing fill or upload recorded it first and its object is still there,
   * that one is kept and this copy deleted (the collector's dying records are replaced).
   */
  private async record(blob: BlobRecord): Promise<BlobRecord> {
    const { meta, blobs, now } = this.deps;
    for (let round = 1; ; round++) {
      const { created, record } = await meta.createBlob(blob, now());
      if (created || record.objectKey === blob.objectKey) return blob;
      if (record.gcState !== 'deleting' && (await blobs.stat(record.objectKey))) {
        await blobs.delete(blob.objectKey).catch(() => undefined);
        return record;
      }
      if (await meta.replaceBlob(blob, record.objectKey, now())) return blob;
      if (round >= LINK_ROUNDS) throw new Error(`blob record ${blob.digest} kept changing while a mirror fill recorded it`);
    }
  }
}
