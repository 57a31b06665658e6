/**
 * The HTTP upstream client against a real Stratus with auth on, which speaks Docker Hub's token protocol
 * (401 Bearer challenge, /token with Basic or anonymously) and redirects blob GETs to presigned S3 URLs
 * on another origin (which refuse a request carrying Authorization as well).
 */
import { httpUpstreamFactory } from '../../../lambda/adapters/upstream/http-upstream';
import type { MirrorRule } from '../../../lambda/ports/mirror-store';
import { UpstreamDeniedError, UpstreamRegistry } from '../../../lambda/ports/upstream-registry';
import type { Logger } from '../../../lambda/shared/logger';
import { pushSmallImage, PushedImage } from '../../support/fixture-images';
import { startTestRegistry, TestRegistry } from '../harness';
import { addUser } from '../http/auth-helpers';
import { uniqueRepo } from '../http/client';

let open: TestRegistry;
let guarded: TestRegistry;
let image: PushedImage;
let publicImage: PushedImage;
const team = uniqueRepo('team');
const pub = uniqueRepo('public');
const PASSWORD = 'mirror-Pa55-word';
const logLines: string[] = [];
const logger: Logger = {
  info: (m, f) => { logLines.push(`${m} ${JSON.stringify(f ?? {})}`); },
  warn: (m, f) => { logLines.push(`${m} ${JSON.stringify(f ?? {})}`); },
  error: (m, f) => { logLines.push(`${m} ${JSON.stringify(f ?? {})}`); },
};

beforeAll(async () => {
  // Content is pushed through an instance without auth; the upstream under test shares its storage, with auth on.
  open = await startTestRegistry();
  image = await pushSmallImage(open.url, `${team}/app`, 'v1', { layerSizes: [3000, 200_000] });
  publicImage = await pushSmallImage(open.url, `${pub}/tool`, 'v1');
  guarded = await startTestRegistry({ shareStorageWith: open, auth: {} });
  await addUser(guarded.auth!.store, 'mirror', PASSWORD, [{ pattern: `${team}/*`, actions: ['pull'] }]);
  await guarded.auth!.store.setAnonymousGrants([{ pattern: `${pub}/*`, actions: ['pull'] }]);
});
afterAll(async () => {
  await guarded?.stop();
  await open?.stop();
});

function upstream(credentials: { username: string; password: string } | null): UpstreamRegistry {
  const rule: MirrorRule = { prefix: 'up/', upstream: guarded.url, tagTtlSeconds: 300, anonymousPull: false, createdAt: 0 };
  return httpUpstreamFactory({ logger })(rule, credentials);
}

async function readAll(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const c of body) chunks.push(c);
  return Buffer.concat(chunks);
}

describe('HTTP upstream client -> Stratus with auth on', () => {
  it('with credentials: manifest HEAD and GET by tag give the pushed digest and exact bytes', async () => {
    const c = upstream({ username: 'mirror', password: PASSWORD });
    expect(await c.headManifest(`${team}/app`, 'v1')).toEqual({ digest: image.manifest.digest, mediaType: image.manifest.mediaType, size: image.manifest.size });
    const m = await c.getManifest(`${team}/app`, 'v1');
    expect(Buffer.from(m!.bytes).equals(image.manifest.bytes)).toBe(true);
    expect(m!.digest).toBe(image.manifest.digest);
    expect(m!.mediaType).toBe(image.manifest.mediaType);
  });

  it('with credentials: blobs come back byte for byte through the 307 to presigned S3 (no Authorization sent there)', async () => {
    const c = upstream({ username: 'mirror', password: PASSWORD });
    for (const blob of [image.config, ...image.layers]) {
      expect(await c.headBlob(`${team}/app`, blob.digest)).toEqual({ size: blob.size });
      const got = await c.getBlob(`${team}/app`, blob.digest);
      expect((await readAll(got!.body)).equals(blob.bytes)).toBe(true);
    }
    expect(logLines.some((l) => l.includes('redirectedTo'))).toBe(true);
  });

  it('unknown tag and unknown blob in a granted repository -> null', async () => {
    const c = upstream({ username: 'mirror', password: PASSWORD });
    expect(await c.getManifest(`${team}/app`, 'nope')).toBeNull();
    expect(await c.headManifest(`${team}/other`, 'v1')).toBeNull();
    expect(await c.getBlob(`${team}/app`, `sha256:${'0'.repeat(64)}`)).toBeNull();
  });

  it('anonymously: a repository anonymous callers may pull is read through an anonymous token', async () => {
    const m = await upstream(null).getManifest(`${pub}/tool`, 'v1');
    expect(m!.digest).toBe(publicImage.manifest.digest);
    expect(Buffer.from(m!.bytes).equals(publicImage.manifest.bytes)).toBe(true);
  });

  it('anonymously on a private repository, or with a wrong password -> UpstreamDeniedError', async () => {
    await expect(upstream(null).getManifest(`${team}/app`, 'v1')).rejects.toBeInstanceOf(UpstreamDeniedError);
    await expect(upstream({ username: 'mirror', password: 'wrong' }).getManifest(`${team}/app`, 'v1')).rejects.toBeInstanceOf(UpstreamDeniedError);
  });

  it('nothing logged holds the password or a token', () => {
    const logged = logLines.join('\n');
    expect(logLines.length).toBeGreaterThan(0);
    expect(logged).not.toContain(PASSWORD);
    expect(logged).not.toContain(Buffer.from(`mirror:${PASSWORD}`).toString('base64'));
    expect(logged).not.toMatch(/Bearer|eyJ[\w-]{10,}/); // no Authorization value, no JWT
    expect(logged).not.toContain('X-Amz-Signature');
  });
});
