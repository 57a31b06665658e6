/**
 * `npx stratus` as a child process (tsx bin/stratus-cli.ts) against the suite's DynamoDB, selected with
 * --endpoint and --table: users, grants, robots, anonymous access, and the errors people see.
 */
import { randomUUID } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbAuthStore } from '../../../lambda/adapters/dynamodb/dynamodb-auth-store';
import { createDocumentClient, ensureTable } from '../../../lambda/adapters/dynamodb/table';
import { backendEnv } from '../backend-env';
import { CliRun, stratusOnTable } from './run-stratus';

const table = `stratus-cli-${randomUUID().slice(0, 8)}`;
let doc: DynamoDBDocumentClient;
let store: DynamoDbAuthStore;

/** Runs the CLI with the target options appended, `input` on stdin. */
function stratus(args: string[], opts: { input?: string; env?: Record<string, string> } = {}): Promise<CliRun> {
  return stratusOnTable(table, args, opts);
}

beforeAll(async () => {
  doc = createDocumentClient(backendEnv().dynamodb);
  await ensureTable(doc, table);
  store = new DynamoDbAuthStore(doc, table);
});

afterAll(async () => {
  await doc.send(new DeleteTableCommand({ TableName: table }));
  doc.destroy();
});

describe('npx stratus user ...', () => {
  it('user add --admin --password-stdin stores a bcrypt (cost 12) hash of the password', async () => {
    const run = await stratus(['user', 'add', 'alice', '--admin', '--password-stdin'], { input: 'correct horse\n' });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain(`user alice added (admin`);
    const alice = (await store.getUser('alice'))!;
    expect(alice).toMatchObject({ name: 'alice', admin: true, grants: [] });
    expect(alice.passwordHash).toMatch(/^\$2[aby]\$12\$/);
    expect(await bcrypt.compare('correct horse', alice.passwordHash)).toBe(true);
  });

  it('user add reads STRATUS_PASSWORD; a second add of the same name fails saying what to do', async () => {
    expect((await stratus(['user', 'add', 'bob'], { env: { STRATUS_PASSWORD: 'bobs password' } })).code).toBe(0);
    expect(await bcrypt.compare('bobs password', (await store.getUser('bob'))!.passwordHash)).toBe(true);
    const again = await stratus(['user', 'add', 'bob'], { env: { STRATUS_PASSWORD: 'bobs password' } });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('user "bob" exists: change its password with npx stratus user passwd bob');
  });

  it('user add without a password (no terminal) fails and tells how to give one', async () => {
    const run = await stratus(['user', 'add', 'carol']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('--password-stdin');
    expect(await store.getUser('carol')).toBeNull();
  });

  it('user passwd changes the hash', async () => {
    expect((await stratus(['user', 'passwd', 'bob', '--password-stdin'], { input: 'new password!' })).code).toBe(0);
    expect(await bcrypt.compare('new password!', (await store.getUser('bob'))!.passwordHash)).toBe(true);
  });

  it('user add and user passwd give the user a new random credential generation (it ends older refresh tokens)', async () => {
    const before = (await store.getUser('bob'))!.generation;
    expect(before).toMatch(/^[A-Za-z0-9_-]{16}$/);
    const run = await stratus(['user', 'passwd', 'bob', '--password-stdin'], { input: 'new password!' });
    expect(run.stdout).toContain('its refresh tokens no longer work');
    expect((await store.getUser('bob'))!.generation).not.toBe(before);
  });

  it('user disable marks the user disabled with a new generation; user enable clears it; user list shows it', async () => {
    const before = (await store.getUser('bob'))!.generation;
    const disable = await stratus(['user', 'disable', 'bob']);
    expect(disable).toMatchObject({ code: 0, stderr: '' });
    expect(disable.stdout).toContain('user bob disabled: no logins or token refreshes');
    expect(await store.getUser('bob')).toMatchObject({ disabled: true });
    expect((await store.getUser('bob'))!.generation).not.toBe(before);
    expect((await stratus(['user', 'list'])).stdout).toMatch(/bob\s+disabled/);

    const disabled = (await store.getUser('bob'))!.generation;
    expect((await stratus(['user', 'enable', 'bob'])).stdout).toContain('user bob enabled');
    expect(await store.getUser('bob')).toMatchObject({ disabled: false, generation: disabled });
    expect((await stratus(['user', 'disable', 'nobody'])).stderr).toContain('no user "nobody"');
  });

  it('grant merges actions per pattern; revoke removes some or all; user list shows them', async () => {
    expect((await stratus(['grant', 'bob', 'team/*', 'pull'])).code).toBe(0);
    expect((await stratus(['grant', 'bob', 'team/*', 'push,pull'])).stdout).toContain('bob: team/*:pull,push');
    expect((await stratus(['grant', 'bob', 'public/app', 'pull,delete'])).code).toBe(0);
    expect((await store.getUser('bob'))!.grants).toEqual([
      { pattern: 'team/*', actions: ['pull', 'push'] },
      { pattern: 'public/app', actions: ['pull', 'delete'] },
    ]);
    expect((await stratus(['revoke', 'bob', 'public/app', 'delete'])).code).toBe(0);
    expect((await stratus(['revoke', 'bob', 'team/*'])).code).toBe(0);
    expect((await store.getUser('bob'))!.grants).toEqual([{ pattern: 'public/app', actions: ['pull'] }]);

    const list = await stratus(['user', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout.split('\n')[0]).toMatch(/^NAME\s+ROLE\s+GRANTS$/);
    expect(list.stdout).toMatch(/alice\s+admin/);
    expect(list.stdout).toMatch(/bob\s+user\s+public\/app:pull/);
  });

  it('grant with a bad pattern, bad actions or an unknown user fails with the fix', async () => {
    expect((await stratus(['grant', 'bob', 'Team/../x', 'pull'])).stderr).toContain('invalid repository pattern');
    expect((await stratus(['grant', 'bob', 'team/*', 'pull,admin'])).stderr).toContain('invalid actions "pull,admin"');
    const unknown = await stratus(['grant', 'nobody', 'team/*', 'pull']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no user "nobody": add it with npx stratus user add nobody');
  });

  it('user remove deletes the user; removing again fails', async () => {
    expect((await stratus(['user', 'remove', 'bob'])).code).toBe(0);
    expect(await store.getUser('bob')).toBeNull();
    expect((await stratus(['user', 'remove', 'bob'])).stderr).toContain('no user "bob"');
  });
});

describe('npx stratus robot ...', () => {
  it('robot create prints <id>.<secret> once; the store keeps a hash, the grants and the expiry', async () => {
    const before = Math.floor(Date.now() / 1000);
    const run = await stratus(['robot', 'create', 'github-actions', '--grant', 'ci/*:pull,push', '--grant', 'base:pull', '--expires', '30d']);
    expect(run.code).toBe(0);
    const password = /^password: (\S+)$/m.exec(run.stdout)![1];
    const [id, secret] = password.split('.');
    const robot = (await store.getRobot(id))!;
    expect(robot).toMatchObject({
      name: 'github-actions',
      grants: [{ pattern: 'ci/*', actions: ['pull', 'push'] }, { pattern: 'base', actions: ['pull'] }],
    });
    expect(robot.expiresAt! - before).toBeGreaterThanOrEqual(30 * 86_400);
    expect(robot.expiresAt! - before).toBeLessThan(30 * 86_400 + 120);
    expect(await bcrypt.compare(secret, robot.secretHash)).toBe(true);
    expect(run.stdout).not.toContain(robot.secretHash);
  });

  it('robot create --quiet prints only the password; without --grant it fails', async () => {
    const run = await stratus(['robot', 'create', 'deploy', '--grant', 'prod/*:pull', '--quiet']);
    expect(run.stdout.trim()).toMatch(/^[0-9a-f]{16}\.[A-Za-z0-9_-]{32}$/);
    const none = await stratus(['robot', 'create', 'x']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--grant');
  });

  it('robot revoke marks it revoked; robot list shows the status', async () => {
    const id = (await stratus(['robot', 'create', 'temp', '--grant', 'tmp/*:pull', '--quiet'])).stdout.trim().split('.')[0];
    expect((await stratus(['robot', 'revoke', id])).code).toBe(0);
    expect((await store.getRobot(id))!.revoked).toBe(true);
    const list = await stratus(['robot', 'list']);
    expect(list.stdout).toMatch(new RegExp(`${id}\\s+temp\\s+revoked`));
    expect(list.stdout).toMatch(/github-actions\s+active/);
    expect((await stratus(['robot', 'revoke', 'ffffffffffffffff'])).stderr).toContain('no robot with id ffffffffffffffff');
  });
});

describe('npx stratus anonymous ...', () => {
  it('set grants pull on the patterns; clear removes them', async () => {
    expect((await stratus(['anonymous', 'set', 'public/*', 'docs'])).code).toBe(0);
    expect(await store.getAnonymousGrants()).toEqual([
      { pattern: 'public/*', actions: ['pull'] }, { pattern: 'docs', actions: ['pull'] },
    ]);
    expect((await stratus(['anonymous', 'show'])).stdout).toContain('public/*:pull');
    expect((await stratus(['anonymous', 'clear'])).code).toBe(0);
    expect(await store.getAnonymousGrants()).toEqual([]);
  });
});

describe('npx stratus (usage)', () => {
  it('an unknown command or option exits 2 with the usage', async () => {
    const run = await stratus(['frobnicate']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('usage: npx stratus');
    expect((await stratus(['user', 'list', '--bogus'])).code).toBe(2);
  });

  it('backup and restore work on local data directories: with --table they exit 2 saying so; without <dir> they show their usage', async () => {
    const withTable = await stratus(['backup', '/tmp/stratus-never-written']);
    expect(withTable).toMatchObject({ code: 2, stdout: '' });
    expect(withTable.stderr).toBe("stratus: backup works on a local data directory (--data-dir); for a deployed table use DynamoDB's and S3's own backups\n");
    const noDir = await stratus(['restore', '--data-dir', '/tmp/stratus-never-written'], { env: {} });
    expect(noDir.code).toBe(2);
    expect(noDir.stderr).toBe('stratus: usage: npx stratus restore <dir> [--force]\n');
  });

  it('a missing table is reported with what to check', async () => {
    const { endpoint } = backendEnv().dynamodb;
    const run = await stratus(['user', 'list', '--table', 'no-such-table', '--endpoint', endpoint]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('check --table and --region');
  });
});
