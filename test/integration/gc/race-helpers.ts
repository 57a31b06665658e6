/** What the GC race tests share: a gate to hold the collector between steps, pushes and pulls as clients make them. */
import { randomUUID } from 'node:crypto';
import { Descriptor, errorCodes, MT, randomBytes, RegistryClient, sha256 } from '../http/client';

/** Holds whoever calls `wait` until the test calls `open`; `reached` resolves once someone waits. */
export function gate() {
  let open!: () => void;
  let arrive!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  const reached = new Promise<void>((r) => (arrive = r));
  return {
    reached,
    open,
    wait: async (): Promise<void> => {
      arrive();
      await opened;
    },
  };
}

/** An image's parts: a config and layers, with the manifest that names them. */
export interface ImageParts {
  config: Buffer;
  layers: Buffer[];
}

/** A fresh image whose layers are `shared` (if any) and one layer of its own. */
export function newImage(shared: Buffer[] = [], size = 256): ImageParts {
  return { config: Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', id: randomUUID() })), layers: [...shared, randomBytes(size)] };
}

/** The image's manifest body. */
export function manifestOf(image: ImageParts, extra: Record<string, unknown> = {}): Buffer {
  const d = (bytes: Buffer, mediaType: string): Descriptor => ({ mediaType, digest: sha256(bytes), size: bytes.length });
  return Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: MT.ociManifest, config: d(image.config, MT.ociConfig), layers: image.layers.map((l) => d(l, MT.ociLayer)), ...extra,
  }));
}

/** PUTs a manifest; its status and error codes. */
export async function putManifest(client: RegistryClient, repo: string, ref: string, body: Buffer): Promise<{ status: number; codes: string[] }> {
  const res = await client.putManifest(repo, ref, body, MT.ociManifest);
  return { status: res.status, codes: res.status === 201 ? (await res.arrayBuffer(), []) : await errorCodes(res) };
}

/** HEAD of a blob in a repository: its status. */
export async function headBlob(client: RegistryClient, repo: string, digest: string): Promise<number> {
  const res = await client.fetch(`/v2/${repo}/blobs/${digest}`, { method: 'HEAD' });
  await res.arrayBuffer();
  return res.status;
}

/**
 * Pushes as docker does: HEAD each blob and upload those missing, then PUT the manifest; on
 * MANIFEST_BLOB_UNKNOWN (the collector took a blob) start again. Returns the PUT's final answer.
 */
export async function pushLikeDocker(client: RegistryClient, repo: string, tag: string, image: ImageParts, attempts = 5): Promise<{ status: number; codes: string[]; digest: string }> {
  const body = manifestOf(image);
  let last = { status: 0, codes: [] as string[] };
  for (let i = 0; i < attempts; i++) {
    for (const blob of [image.config, ...image.layers]) {
      if ((await headBlob(client, repo, sha256(blob))) !== 200) await pushBlobRetrying(client, repo, blob);
    }
    last = await putManifest(client, repo, tag, body);
    if (last.status !== 400 || !last.codes.includes('MANIFEST_BLOB_UNKNOWN')) break;
  }
  return { ...last, digest: sha256(body) };
}

/**
 * A blob upload retried on a 5xx, as docker retries a layer (a record that other uploads and two collectors
 * at grace 0 keep changing can exhaust the registry's rounds: it answers 503 + Retry-After, never a 500).
 */
async function pushBlobRetrying(client: RegistryClient, repo: string, blob: Buffer, attempts = 3): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      return void (await client.pushBlob(repo, blob));
    } catch (err) {
      if (i >= attempts || !/: 503$/.test(String((err as Error).message))) throw err;
      await new Promise((r) => setTimeout(r, 200 * i));
    }
  }
}

/** Whether `ref` pulls: its manifest, then every blob it names, each hashing to its digest. */
export async function pullsWhole(client: RegistryClient, repo: string, ref: string): Promise<boolean> {
  const res = await client.getManifest(repo, ref);
  if (res.status !== 200) {
    await res.arrayBuffer();
    return false;
  }
  const doc = JSON.parse(await res.text()) as { config?: Descriptor; layers?: Descriptor[]; manifests?: Descriptor[] };
  for (const child of doc.manifests ?? []) if (!(await pullsWhole(client, repo, child.digest))) return false;
  for (const b of [...(doc.config ? [doc.config] : []), ...(doc.layers ?? [])]) {
    const blob = await client.getBlob(repo, b.digest);
    if (blob.status !== 200) {
      await blob.arrayBuffer();
      return false;
    }
    if (sha256(Buffer.from(await blob.arrayBuffer())) !== b.digest) return false;
  }
  return true;
}
