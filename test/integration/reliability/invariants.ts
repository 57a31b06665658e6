/**
 * What every rejected request must leave true: an answer below 500 with the spec's error JSON, a
 * registry that still answers, and stored state equal before and after (compared as snapshots).
 */
import { ACCEPT_MANIFESTS, RegistryClient } from '../http/client';

/** A response reduced to what the invariants look at. */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Reads a fetch Response into an Answer. */
export async function answerOf(res: Response): Promise<Answer> {
  const headers: Record<string, string> = {};
  res.headers.forEach((v, k) => (headers[k] = v));
  return { status: res.status, headers, body: await res.text() };
}

/** errors[0].code of an error body, or undefined when the body is not the spec's error JSON. */
export function firstCode(body: string): string | undefined {
  try {
    const doc = JSON.parse(body) as { errors?: Array<{ code?: unknown }> };
    return typeof doc.errors?.[0]?.code === 'string' ? doc.errors[0].code : undefined;
  } catch {
    return undefined;
  }
}

/** Asserts a refusal: the expected status and errors[0].code, and never a 5xx. */
export function expectRefused(answer: Answer, status: number, code: string): void {
  const seen = { status: answer.status, code: firstCode(answer.body), body: answer.body.slice(0, 300) };
  expect(seen.status).toBeLessThan(500);
  expect({ status: seen.status, code: seen.code }).toEqual({ status, code });
}

/** Asserts the registry still answers GET /v2/ (the process did not crash or wedge). */
export async function expectAlive(client: RegistryClient): Promise<void> {
  const res = await client.fetch('/v2/');
  await res.arrayBuffer();
  expect(res.status).toBe(200);
}

/** What to look at in a snapshot: the repository, and the manifests, blobs and uploads to probe. */
export interface Watched {
  repo: string;
  manifests?: string[];
  blobs?: string[];
  uploads?: string[];
}

/**
 * The registry's visible state for a repository: its tag list, what each tag resolves to, each watched
 * manifest's presence and digest, each watched blob's presence and size, each watched upload's status
 * and range. Two equal snapshots mean no visible change.
 */
export async function snapshot(client: RegistryClient, w: Watched): Promise<Record<string, unknown>> {
  const state: Record<string, unknown> = {};
  const tagsRes = await client.fetch(`/v2/${w.repo}/tags/list`);
  const tagsBody = await tagsRes.text();
  state.tags = { status: tagsRes.status, body: tagsBody };
  const tags = tagsRes.status === 200 ? ((JSON.parse(tagsBody) as { tags: string[] }).tags ?? []) : [];
  for (const tag of tags) state[`tag ${tag}`] = await manifestState(client, w.repo, tag);
  for (const d of w.manifests ?? []) state[`manifest ${d}`] = await manifestState(client, w.repo, d);
  for (const d of w.blobs ?? []) {
    const res = await client.fetch(`/v2/${w.repo}/blobs/${d}`, { method: 'HEAD' });
    state[`blob ${d}`] = { status: res.status, length: res.headers.get('content-length'), digest: res.headers.get('docker-content-digest') };
  }
  for (const u of w.uploads ?? []) {
    const res = await client.fetch(u);
    await res.arrayBuffer();
    state[`upload ${u}`] = { status: res.status, range: res.headers.get('range') };
  }
  return state;
}

async function manifestState(client: RegistryClient, repo: string, ref: string): Promise<unknown> {
  const res = await client.fetch(`/v2/${repo}/manifests/${ref}`, { headers: { accept: ACCEPT_MANIFESTS } });
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, digest: res.headers.get('docker-content-digest'), bytes: body.toString('base64') };
}

/** fast-check parameters shared by the suite: a modest number of runs and a seed printed on failure. */
export function fcParams(numRuns = 60): { numRuns: number; seed: number; verbose: number } {
  const seed = Number(process.env.STRATUS_FC_SEED ?? Date.now() % 2 ** 31);
  return { numRuns, seed, verbose: 1 };
}
