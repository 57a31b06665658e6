import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/** An item's key as the table writes it. */
export interface ItemKey {
  pk: string;
  sk: string;
}

/**
 * What the items of a backup hold and what they point at, so that a backup can be closed: a scan is no
 * snapshot, and a push landing while it runs can leave a tag without its manifest, a manifest without
 * its blob links (links sort before manifests in a repository's partition), or a link without its blob's
 * record. After the scan, the items still missing are read one by one (see backup.ts).
 *
 *   tag              -> the manifest it names
 *   manifest         -> a link for its config and layers (and `blobs`), the manifests an index lists
 *   repository link  -> the blob's own record
 */
export class BackupClosure {
  private readonly present = new Set<string>();
  private readonly needed = new Map<string, ItemKey>();
  private readonly asked = new Set<string>();

  /** Notes an item written to the backup. */
  add(item: Record<string, AttributeValue>): void {
    const pk = item.pk?.S ?? '';
    const sk = item.sk?.S ?? '';
    this.present.add(id({ pk, sk }));
    if (!pk.startsWith('REPO#')) return;
    if (sk.startsWith('TAG#') && item.digest?.S) this.need({ pk, sk: `MANIFEST#${item.digest.S}` });
    else if (sk.startsWith('BLOB#')) this.need({ pk: sk, sk: 'BLOB' });
    else if (sk.startsWith('MANIFEST#') && item.body?.B) this.manifestBody(pk, item.body.B);
  }

  /** Notes what a manifest body (inline, or read from S3) of the repository partition `pk` names. */
  manifestBody(pk: string, body: Uint8Array): void {
    let m: { config?: Descriptor; layers?: Descriptor[]; blobs?: Descriptor[]; manifests?: Descriptor[] };
    try {
      m = JSON.parse(Buffer.from(body).toString('utf8'));
    } catch {
      return; // the registry validated it on push; nothing to follow in a body it cannot parse
    }
    for (const d of [m.config, ...(m.layers ?? []), ...(m.blobs ?? [])]) if (d?.digest) this.need({ pk, sk: `BLOB#${d.digest}` });
    for (const d of m.manifests ?? []) if (d?.digest) this.need({ pk, sk: `MANIFEST#${d.digest}` });
  }

  /** Items named by the backup's items and not in it; each is returned once. */
  takeMissing(): ItemKey[] {
    const missing = [...this.needed.entries()].filter(([key]) => !this.present.has(key) && !this.asked.has(key));
    this.needed.clear();
    missing.forEach(([key]) => this.asked.add(key));
    return missing.map(([, key]) => key);
  }

  private need(key: ItemKey): void {
    const k = id(key);
    if (!this.present.has(k)) this.needed.set(k, key);
  }
}

interface Descriptor {
  digest?: string;
}

function id(key: ItemKey): string {
  return `${key.pk}\u0000${key.sk}`;
}
