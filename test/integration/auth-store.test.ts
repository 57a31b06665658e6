/**
 * Contract of the AuthStore port, run against the DynamoDB adapter on the suite's DynamoDB
 * (DynamoDB Local by default): users, robots, anonymous grants and login throttling.
 */
import { randomUUID } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbAuthStore } from '../../lambda/adapters/dynamodb/dynamodb-auth-store';
import { FAILURES_TTL_SECONDS, lockDurationMs } from '../../lambda/auth/lockout-policy';
import { createDocumentClient, ensureTable } from '../../lambda/adapters/dynamodb/table';
import type { RobotToken, User } from '../../lambda/ports/auth-store';
import { backendEnv } from './backend-env';

const table = `stratus-auth-${randomUUID().slice(0, 8)}`;
let doc: DynamoDBDocumentClient;
// Near real time: DynamoDB Local may apply TTL to items whose expiresAt lies in the real past.
const clock = Date.now();
let store: DynamoDbAuthStore;

const alice: User = {
  name: 'alice', passwordHash: '$2b$12$abcdefghijklmnopqrstuv', catalog: true, admin: false,
  grants: [{ pattern: 'team/*', actions: ['pull', 'push'] }],
};

beforeAll(async () => {
  doc = createDocumentClient(backendEnv().dynamodb);
  await ensureTable(doc, table);
  store = new DynamoDbAuthStore(doc, table, () => clock);
});

afterAll(async () => {
  await doc.send(new DeleteTableCommand({ TableName: table }));
  doc.destroy();
});

describe('users', () => {
  it('getUser -> null for an unknown user', async () => {
    expect(await store.getUser('nobody')).toBeNull();
  });

  it('putUser then getUser returns the same user; putUser replaces', async () => {
    await store.putUser(alice);
    expect(await store.getUser('alice')).toEqual(alice);
    const changed = { ...alice, admin: true, disabled: true, grants: [] };
    await store.putUser(changed);
    expect(await store.getUser('alice')).toEqual(changed);
    await store.putUser(alice);
  });

  it('listUsers returns every user, sorted by name, and no robots', async () => {
    await store.putUser({ ...alice, name: 'bob' });
    await store.putRobot({ id: 'r1', name: 'ci', secretHash: 'h', grants: [], createdAt: 1 });
    expect((await store.listUsers()).map((u) => u.name)).toEqual(['alice', 'bob']);
    expect((await store.listUsers())[0]).toEqual(alice);
  });

  it('deleteUser -> true once, then false', async () => {
    await store.putUser({ ...alice, name: 'carol' });
    expect(await store.deleteUser('carol')).toBe(true);
    expect(await store.deleteUser('carol')).toBe(false);
    expect(await store.getUser('carol')).toBeNull();
  });
});

describe('robots', () => {
  const robot: RobotToken = {
    id: 'abc123', name: 'github-actions', secretHash: '$2b$10$xyz', createdAt: 1_700_000_000_000,
    grants: [{ pattern: 'ci/*', actions: ['push'] }], expiresAt: 1_700_000_100,
  };

  it('putRobot then getRobot returns it, expiry included (kept out of the TTL attribute)', async () => {
    await store.putRobot(robot);
    expect(await store.getRobot('abc123')).toEqual(robot);
    const item = await doc.send(new GetCommand({
      TableName: table, Key: { pk: 'AUTH#ROBOTS', sk: 'ROBOT#abc123' },
    }));
    expect(item.Item!.expiresAt).toBeUndefined();
  });

  it('revoking is a putRobot with revoked: true; listRobots lists every robot', async () => {
    await store.putRobot({ ...robot, revoked: true });
    expect((await store.getRobot('abc123'))!.revoked).toBe(true);
    expect((await store.listRobots()).map((r) => r.id).sort()).toEqual(['abc123', 'r1']);
  });

  it('getRobot -> null for an unknown id', async () => {
    expect(await store.getRobot('missing')).toBeNull();
  });
});

describe('anonymous grants', () => {
  it('are empty until set, then what was set; setting [] clears them', async () => {
    expect(await store.getAnonymousGrants()).toEqual([]);
    await store.setAnonymousGrants([{ pattern: 'public/*', actions: ['pull'] }]);
    expect(await store.getAnonymousGrants()).toEqual([{ pattern: 'public/*', actions: ['pull'] }]);
    await store.setAnonymousGrants([]);
    expect(await store.getAnonymousGrants()).toEqual([]);
  });
});

describe('login failures (per account and client address)', () => {
  const A = '192.0.2.1';
  const B = '192.0.2.2';

  it('attempts count up before they are checked; the 5th locks for 30 s; refused while locked; then doubling, capped at 15 minutes', async () => {
    const now = clock;
    for (let i = 1; i <= 4; i++) expect(await store.beginLoginAttempt('dave', A, now)).toEqual({ allowed: true, failures: { count: i } });
    expect(await store.beginLoginAttempt('dave', A, now)).toEqual({ allowed: true, failures: { count: 5, lockedUntil: now + 30_000 } });
    expect(await store.beginLoginAttempt('dave', A, now + 29_000)).toEqual({ allowed: false, lockedUntil: now + 30_000 });
    expect(await store.beginLoginAttempt('dave', A, now + 30_000)).toEqual({ allowed: true, failures: { count: 6, lockedUntil: now + 90_000 } });
    expect(await store.getLoginFailures('dave', A)).toEqual({ count: 6, lockedUntil: now + 90_000 });
    expect(await store.beginLoginAttempt('dave', B, now)).toEqual({ allowed: true, failures: { count: 1 } });
    expect(lockDurationMs(9)).toBe(8 * 60_000);
    expect(lockDurationMs(10)).toBe(15 * 60_000);
    expect(lockDurationMs(40)).toBe(15 * 60_000);
  });

  it('20 concurrent attempts: exactly 5 are allowed, the rest refused', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => store.beginLoginAttempt('erin', A, clock)));
    expect(results.filter((r) => r.allowed)).toHaveLength(5);
    expect((await store.getLoginFailures('erin', A))!.count).toBe(5);
  });

  it('clearLoginFailures forgets them (for that address only)', async () => {
    await store.beginLoginAttempt('frank', A, clock);
    await store.beginLoginAttempt('frank', B, clock);
    await store.clearLoginFailures('frank', A);
    expect(await store.getLoginFailures('frank', A)).toBeNull();
    expect(await store.getLoginFailures('frank', B)).toEqual({ count: 1 });
  });

  it('an hour after the last attempt they are gone on read, and counting starts again', async () => {
    for (let i = 0; i < 5; i++) await store.beginLoginAttempt('gina', A, clock);
    const later = clock + FAILURES_TTL_SECONDS * 1000 + 1000;
    const laterStore = new DynamoDbAuthStore(doc, table, () => later);
    expect(await laterStore.getLoginFailures('gina', A)).toBeNull();
    expect(await laterStore.beginLoginAttempt('gina', A, later)).toEqual({ allowed: true, failures: { count: 1 } });
  });
});
