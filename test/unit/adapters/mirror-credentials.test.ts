/**
 * Upstream credentials of mirror rules: the data directory's files (real files in a temporary folder), the
 * Secrets Manager reader (a fake client counting its calls), and the host's choice between them by reference.
 */
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import {
  FileMirrorCredentials, isLocalCredentialsRef, localCredentialsRef, mirrorCredentialsDir,
} from '../../../lambda/adapters/file/mirror-credentials-file';
import { SecretsManagerCredentials } from '../../../lambda/adapters/secrets-manager/secrets-manager-credentials';
import type { SecretsManagerSend } from '../../../lambda/adapters/secrets-manager/secrets-manager-key-store';
import { credentialSourceFor } from '../../../lambda/hosts/mirror-credentials';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:ghcr-AbCdEf';

/** Secrets by id; counts GetSecretValue calls; `fail` makes the next call throw a throttling error. */
class FakeSecrets {
  values = new Map<string, string>();
  calls: string[] = [];
  fail = false;
  readonly client: SecretsManagerSend = {
    send: (async (command: unknown) => {
      if (!(command instanceof GetSecretValueCommand)) throw new Error('unexpected command');
      const id = command.input.SecretId!;
      this.calls.push(id);
      await new Promise((r) => setImmediate(r));
      if (this.fail) {
        this.fail = false;
        throw Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
      }
      const value = this.values.get(id);
      if (value === undefined) throw Object.assign(new Error('no such secret'), { name: 'ResourceNotFoundException' });
      return { SecretString: value };
    }) as SecretsManagerSend['send'],
  };
}

describe('FileMirrorCredentials (the data directory)', () => {
  let dataDir: string;
  beforeEach(async () => { dataDir = await mkdtemp(join(tmpdir(), 'stratus-mirror-creds-')); });
  afterEach(async () => { await rm(dataDir, { recursive: true, force: true }); });

  it('put then get gives the credentials back; the folder is 0700 and the file 0600, and no temporary file is left', async () => {
    const files = new FileMirrorCredentials(mirrorCredentialsDir(dataDir));

    await files.put('ghcr', { username: 'me', password: 's3cret token' });

    expect(await files.get('ghcr')).toEqual({ username: 'me', password: 's3cret token' });
    const dir = join(dataDir, 'mirror-credentials');
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, 'ghcr.json'))).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['ghcr.json']);
  });

  it('get of a reference without a file is null; remove deletes the file and is quiet when there is none', async () => {
    const files = new FileMirrorCredentials(mirrorCredentialsDir(dataDir));
    expect(await files.get('nothing')).toBeNull();

    await files.put('quay', { username: 'u', password: 'p' });
    await files.remove('quay');
    await files.remove('quay');

    expect(await files.get('quay')).toBeNull();
  });

  it('a reference that is a path (../, /) is refused before any file is touched', async () => {
    const files = new FileMirrorCredentials(mirrorCredentialsDir(dataDir));
    await writeFile(join(dataDir, 'secret.json'), JSON.stringify({ username: 'root', password: 'x' }));

    await expect(files.get('../secret')).rejects.toThrow('is not a file name');
    await expect(files.get('/etc/passwd')).rejects.toThrow('is not a file name');
    await expect(files.put('a/../../b', { username: 'u', password: 'p' })).rejects.toThrow('is not a file name');
    expect(isLocalCredentialsRef('..')).toBe(false);
  });

  it('a file in another shape throws naming the file, never its text', async () => {
    const files = new FileMirrorCredentials(mirrorCredentialsDir(dataDir));
    await files.put('bad', { username: 'u', password: 'p' });
    await writeFile(join(dataDir, 'mirror-credentials', 'bad.json'), 'hunter2-not-json');

    const err = await files.get('bad').catch((e: Error) => e);

    expect((err as Error).message).toContain('bad.json');
    expect((err as Error).message).not.toContain('hunter2');
  });

  it('localCredentialsRef: one file per prefix, the root and nested prefixes never collide', () => {
    const refs = ['', 'ghcr/', 'a/b/', 'a_b/', 'a-b/'].map(localCredentialsRef);

    expect(refs).toEqual(['_root', 'ghcr', 'a+b', 'a_b', 'a-b']);
    expect(new Set(refs).size).toBe(refs.length);
    expect(refs.every(isLocalCredentialsRef)).toBe(true);
  });
});

describe('SecretsManagerCredentials', () => {
  it('reads {"username","password"} once per cache period; concurrent reads share one call', async () => {
    const sm = new FakeSecrets();
    sm.values.set(ARN, JSON.stringify({ username: 'bot', password: 'ghp_x' }));
    let now = 1_000_000;
    const source = new SecretsManagerCredentials(() => sm.client, { cacheSeconds: 300, now: () => now });

    const [a, b] = await Promise.all([source.get(ARN), source.get(ARN)]);
    now += 299_000;
    const c = await source.get(ARN);

    expect([a, b, c]).toEqual(Array(3).fill({ username: 'bot', password: 'ghp_x' }));
    expect(sm.calls).toEqual([ARN]);

    now += 2_000;
    sm.values.set(ARN, JSON.stringify({ username: 'bot', password: 'rotated' }));
    expect(await source.get(ARN)).toEqual({ username: 'bot', password: 'rotated' });
    expect(sm.calls).toHaveLength(2);
  });

  it('a secret that does not exist is null; a failure is not remembered (the next read asks again)', async () => {
    const sm = new FakeSecrets();
    const source = new SecretsManagerCredentials(() => sm.client);
    expect(await source.get(ARN)).toBeNull();

    const other = `${ARN}-2`;
    sm.values.set(other, JSON.stringify({ username: 'u', password: 'p' }));
    sm.fail = true;
    await expect(source.get(other)).rejects.toThrow('slow down');
    expect(await source.get(other)).toEqual({ username: 'u', password: 'p' });
  });

  it('a secret in another shape throws naming the ARN, not the value', async () => {
    const sm = new FakeSecrets();
    sm.values.set(ARN, 'plain-password-123');
    const source = new SecretsManagerCredentials(() => sm.client);

    const err = await source.get(ARN).catch((e: Error) => e);

    expect((err as Error).message).toContain(ARN);
    expect((err as Error).message).not.toContain('plain-password-123');
  });
});

describe('credentialSourceFor (the host)', () => {
  it('an ARN goes to Secrets Manager in the ARN\'s region, a name to the credentials folder', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'stratus-mirror-creds-'));
    try {
      const sm = new FakeSecrets();
      sm.values.set(ARN, JSON.stringify({ username: 'aws', password: 'from-sm' }));
      const regions: Array<string | undefined> = [];
      const source = credentialSourceFor({ mirrorCredentialsDir: mirrorCredentialsDir(dataDir) }, (region) => {
        regions.push(region);
        return sm.client;
      });
      await new FileMirrorCredentials(mirrorCredentialsDir(dataDir)).put('_root', { username: 'local', password: 'from-file' });

      expect(await source.get(ARN)).toEqual({ username: 'aws', password: 'from-sm' });
      expect(await source.get('_root')).toEqual({ username: 'local', password: 'from-file' });
      expect(regions).toEqual(['eu-west-1']);
      expect(JSON.parse(await readFile(join(dataDir, 'mirror-credentials', '_root.json'), 'utf8'))).toEqual({ username: 'local', password: 'from-file' });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('a file reference on a host without the folder (AWS) throws saying to use a Secrets Manager ARN', async () => {
    const source = credentialSourceFor({}, () => new FakeSecrets().client);

    await expect(source.get('_root')).rejects.toThrow('--credentials-secret-arn');
  });
});
