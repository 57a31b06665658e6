import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeSecretCommand, GetSecretValueCommand, PutSecretValueCommand, UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { importJWK, jwtVerify, SignJWT } from 'jose';
import { FileKeySetStore, localKeyFile } from '../../../lambda/adapters/file/file-key-store';
import { generateSigningKey, publicOnly } from '../../../lambda/auth/signing-keys/generate';
import { rotateKeySet } from '../../../lambda/auth/signing-keys/key-set';
import { SecretsManagerKeySetStore, SecretsManagerSend } from '../../../lambda/adapters/secrets-manager/secrets-manager-key-store';
import type { KeySet } from '../../../lambda/ports/key-store';
import { rotateKeysStep, RotationEvent } from '../../../lambda/hosts/lambda/rotate-keys';

/** Just enough of Secrets Manager: versions with a value and stages, the five commands the code sends. */
class FakeSecretsManager {
  versions = new Map<string, { value?: string; stages: string[] }>();
  calls: string[] = [];
  private next = 1;

  constructor(initial: string) {
    this.versions.set('v0', { value: initial, stages: ['AWSCURRENT'] });
  }

  /** What RotateSecret does before invoking the function: an AWSPENDING version without a value. */
  startRotation(token: string): void {
    for (const v of this.versions.values()) v.stages = v.stages.filter((s) => s !== 'AWSPENDING');
    this.versions.set(token, { stages: ['AWSPENDING'] });
  }

  current(): string | undefined {
    return [...this.versions.values()].find((v) => v.stages.includes('AWSCURRENT'))?.value;
  }

  readonly client: SecretsManagerSend = { send: (async (command: unknown) => this.handle(command)) as SecretsManagerSend['send'] };

  private handle(command: unknown): unknown {
    this.calls.push((command as object).constructor.name);
    const notFound = () => Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' });
    if (command instanceof DescribeSecretCommand) {
      return { VersionIdsToStages: Object.fromEntries([...this.versions].map(([id, v]) => [id, [...v.stages]])) };
    }
    if (command instanceof GetSecretValueCommand) {
      const { VersionId, VersionStage } = command.input;
      const entry = [...this.versions].find(([id, v]) => (!VersionId || id === VersionId) && (!VersionStage || v.stages.includes(VersionStage)));
      if (!entry || entry[1].value === undefined) throw notFound();
      return { VersionId: entry[0], SecretString: entry[1].value };
    }
    if (command instanceof PutSecretValueCommand) {
      const { ClientRequestToken, SecretString, VersionStages } = command.input;
      const id = ClientRequestToken ?? `auto-${this.next++}`;
      const existing = this.versions.get(id);
      if (existing?.value !== undefined && existing.value !== SecretString) {
        throw Object.assign(new Error('version exists'), { name: 'ResourceExistsException' });
      }
      const stages = VersionStages ?? ['AWSCURRENT'];
      if (stages.includes('AWSCURRENT')) for (const v of this.versions.values()) v.stages = v.stages.filter((s) => s !== 'AWSCURRENT');
      this.versions.set(id, { value: SecretString, stages: [...new Set([...(existing?.stages ?? []), ...stages])] });
      return { VersionId: id };
    }
    if (command instanceof UpdateSecretVersionStageCommand) {
      const { VersionStage, MoveToVersionId, RemoveFromVersionId } = command.input;
      const from = this.versions.get(RemoveFromVersionId!);
      if (from) from.stages = from.stages.filter((s) => s !== VersionStage);
      this.versions.get(MoveToVersionId!)!.stages.push(VersionStage!);
      return {};
    }
    throw new Error(`unexpected command ${(command as object).constructor.name}`);
  }
}

async function signWith(set: KeySet): Promise<string> {
  return new SignJWT({ sub: 'alice' })
    .setProtectedHeader({ alg: 'ES256', kid: set.current.kid })
    .sign(await importJWK(set.current.jwk, 'ES256'));
}

/** Verifies as the registry does: with the key of the token's kid, among current and previous. */
async function verifyWith(set: KeySet, jwt: string): Promise<boolean> {
  const kid = JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString()).kid;
  const key = [set.current, ...set.previous].find((k) => k.kid === kid);
  if (!key) return false;
  await jwtVerify(jwt, await importJWK(publicOnly(key).jwk, 'ES256'));
  return true;
}

describe('generateSigningKey', () => {
  it('makes an ES256 private JWK whose kid is its thumbprint; publicOnly drops d', async () => {
    const key = await generateSigningKey(42);
    expect(key).toMatchObject({ createdAt: 42, jwk: { kty: 'EC', crv: 'P-256', alg: 'ES256', kid: key.kid } });
    expect(key.jwk.d).toBeDefined();
    expect(publicOnly(key).jwk.d).toBeUndefined();
    expect(key.kid).not.toBe((await generateSigningKey()).kid);
  });
});

describe('rotateKeySet', () => {
  it('keeps the old current key (public) and previous keys retired less than keepPreviousSeconds ago', async () => {
    const day = 86_400_000;
    const a = await generateSigningKey(0);
    const b = await generateSigningKey(10 * day); // a retired at day 10
    const c = await generateSigningKey(30 * day); // b retired at day 30
    const set: KeySet = { current: c, previous: [publicOnly(b), publicOnly(a)] };
    const rotated = await rotateKeySet(set, 86_400, 30.5 * day);
    expect(rotated.previous.map((k) => k.kid)).toEqual([c.kid, b.kid]);
    expect(rotated.previous.every((k) => k.jwk.d === undefined)).toBe(true);
    const later = await rotateKeySet(rotated, 86_400, 32 * day);
    expect(later.previous.map((k) => k.kid)).toEqual([rotated.current.kid]);
  });
});

describe('FileKeySetStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stratus-keys-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('load() creates the file (mode 0600) once, then returns the same key set', async () => {
    const path = localKeyFile(join(dir, 'data'));
    const store = new FileKeySetStore(path);
    const first = await store.load();
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(first.previous).toEqual([]);
    expect(first.current.jwk.d).toBeDefined();
    expect(await new FileKeySetStore(path).load()).toEqual(first);
  });

  it('concurrent first loads agree on one key set', async () => {
    const path = join(dir, 'keys.json');
    const sets = await Promise.all([1, 2, 3].map(() => new FileKeySetStore(path).load()));
    expect(new Set(sets.map((s) => s.current.kid)).size).toBe(1);
  });

  it('rotate() makes a new current key; tokens of the old one still verify; the file stays 0600', async () => {
    const path = join(dir, 'keys.json');
    const store = new FileKeySetStore(path);
    const before = await store.load();
    const token = await signWith(before);
    const after = await store.rotate();
    expect(after.current.kid).not.toBe(before.current.kid);
    expect(after.previous).toEqual([publicOnly(before.current)]);
    expect(await store.load()).toEqual(after);
    expect(await verifyWith(after, token)).toBe(true);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(path, 'utf8')).previous[0].jwk.d).toBeUndefined();
  });

  it('rotate() drops previous keys retired longer ago than keepPreviousSeconds', async () => {
    const path = join(dir, 'keys.json');
    const old = await generateSigningKey(Date.now() - 10_000);
    const older = await generateSigningKey(Date.now() - 20_000);
    await writeFile(path, JSON.stringify({ current: old, previous: [publicOnly(older)] }), { mode: 0o600 });
    const rotated = await new FileKeySetStore(path, { keepPreviousSeconds: 5 }).rotate();
    expect(rotated.previous.map((k) => k.kid)).toEqual([old.kid]);
  });

  it('load() refuses a file that is not a key set, saying what to do', async () => {
    const path = join(dir, 'keys.json');
    await writeFile(path, '{"hello":1}');
    await expect(new FileKeySetStore(path).load()).rejects.toThrow(/does not hold a Stratus key set/);
  });
});

describe('SecretsManagerKeySetStore', () => {
  it('load() replaces the placeholder with one key set, even when instances race', async () => {
    const sm = new FakeSecretsManager('random-placeholder');
    const [a, b] = await Promise.all([
      new SecretsManagerKeySetStore(sm.client, 'keys').load(),
      new SecretsManagerKeySetStore(sm.client, 'keys').load(),
    ]);
    expect(b.current.kid).toBe(a.current.kid);
    expect(JSON.parse(sm.current()!).current.kid).toBe(a.current.kid);
  });

  it('load() serves AWSCURRENT from memory for cacheSeconds', async () => {
    const sm = new FakeSecretsManager('placeholder');
    let now = 1_000_000;
    const store = new SecretsManagerKeySetStore(sm.client, 'keys', { cacheSeconds: 300, now: () => now });
    await store.load();
    sm.calls = [];
    await store.load();
    expect(sm.calls).toEqual([]);
    now += 301_000;
    await store.load();
    expect(sm.calls).toEqual(['GetSecretValueCommand']);
  });

  it('rotate() writes a new AWSCURRENT version keeping the old key as previous', async () => {
    const sm = new FakeSecretsManager('placeholder');
    const store = new SecretsManagerKeySetStore(sm.client, 'keys');
    const before = await store.load();
    const after = await store.rotate();
    expect(after.previous[0].kid).toBe(before.current.kid);
    expect(JSON.parse(sm.current()!).current.kid).toBe(after.current.kid);
  });
});

describe('rotation handler (rotate-keys.ts)', () => {
  const steps: RotationEvent['Step'][] = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];
  async function rotate(sm: FakeSecretsManager, token: string): Promise<void> {
    sm.startRotation(token);
    for (const Step of steps) await rotateKeysStep(sm.client, { Step, SecretId: 'keys', ClientRequestToken: token });
  }

  it('first rotation turns the placeholder into a key set', async () => {
    const sm = new FakeSecretsManager('placeholder');
    await rotate(sm, 'token-1');
    const set = JSON.parse(sm.current()!) as KeySet;
    expect(set.current.jwk.d).toBeDefined();
    expect(set.previous).toEqual([]);
    expect(sm.versions.get('token-1')!.stages).toEqual(['AWSPENDING', 'AWSCURRENT']);
    expect(sm.versions.get('v0')!.stages).toEqual([]);
  });

  it('a rotation keeps tokens signed by the old key verifiable (no downtime)', async () => {
    const sm = new FakeSecretsManager('placeholder');
    await rotate(sm, 'token-1');
    const before = JSON.parse(sm.current()!) as KeySet;
    const token = await signWith(before);
    await rotate(sm, 'token-2');
    const after = JSON.parse(sm.current()!) as KeySet;
    expect(after.current.kid).not.toBe(before.current.kid);
    expect(after.previous).toEqual([publicOnly(before.current)]);
    expect(await verifyWith(after, token)).toBe(true);
  });

  it('createSecret is idempotent: a retried step keeps the pending key set', async () => {
    const sm = new FakeSecretsManager('placeholder');
    sm.startRotation('t');
    const event = { Step: 'createSecret' as const, SecretId: 'keys', ClientRequestToken: 't' };
    await rotateKeysStep(sm.client, event);
    const pending = sm.versions.get('t')!.value;
    await rotateKeysStep(sm.client, event);
    expect(sm.versions.get('t')!.value).toBe(pending);
  });

  it('finishSecret on an already current version does nothing; an unknown token fails', async () => {
    const sm = new FakeSecretsManager('placeholder');
    await rotate(sm, 'token-1');
    sm.calls = [];
    await rotateKeysStep(sm.client, { Step: 'finishSecret', SecretId: 'keys', ClientRequestToken: 'token-1' });
    expect(sm.calls).toEqual(['DescribeSecretCommand']);
    await expect(rotateKeysStep(sm.client, { Step: 'createSecret', SecretId: 'keys', ClientRequestToken: 'nope' }))
      .rejects.toThrow(/no version nope/);
  });

  it('testSecret rejects a pending version that is not a key set', async () => {
    const sm = new FakeSecretsManager('placeholder');
    sm.startRotation('t');
    sm.versions.get('t')!.value = 'garbage';
    await expect(rotateKeysStep(sm.client, { Step: 'testSecret', SecretId: 'keys', ClientRequestToken: 't' }))
      .rejects.toThrow(/does not hold a key set/);
  });
});
