import {
  DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { AuthStore, Grant, LoginFailures, RobotToken, User } from '../../ports/auth-store';
import { keys, prefixes, ROBOTS_PK, USERS_PK } from './keys';

type Item = Record<string, unknown>;

/** Failed logins before an account is locked. */
export const LOCK_THRESHOLD = 5;
/** The first lock (at LOCK_THRESHOLD failures) lasts this long; each further failure doubles it. */
export const FIRST_LOCK_MS = 30_000;
/** Locks never last longer than this. */
export const MAX_LOCK_MS = 15 * 60_000;
/** A failure counter is forgotten this long after the last failure (TTL, and ignored on read). */
export const FAILURES_TTL_SECONDS = 3600;

/** How long an account stays locked after its `count`-th failure in a row (0 below the threshold). */
export function lockDurationMs(count: number): number {
  if (count < LOCK_THRESHOLD) return 0;
  return Math.min(FIRST_LOCK_MS * 2 ** (count - LOCK_THRESHOLD), MAX_LOCK_MS);
}

/** AuthStore on the registry's DynamoDB table (layout in keys.ts). */
export class DynamoDbAuthStore implements AuthStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => number = Date.now,
  ) {}

  async getUser(name: string): Promise<User | null> {
    return userOf(await this.get(keys.user(name)));
  }

  async putUser(user: User): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.table, Item: { ...keys.user(user.name), ...user } }));
  }

  async deleteUser(name: string): Promise<boolean> {
    const out = await this.doc.send(new DeleteCommand({ TableName: this.table, Key: keys.user(name), ReturnValues: 'ALL_OLD' }));
    return out.Attributes !== undefined;
  }

  async listUsers(): Promise<User[]> {
    return (await this.queryAll(USERS_PK, prefixes.user)).map((i) => userOf(i)!);
  }

  async getRobot(id: string): Promise<RobotToken | null> {
    return robotOf(await this.get(keys.robot(id)));
  }

  async putRobot(robot: RobotToken): Promise<void> {
    const { expiresAt, ...rest } = robot;
    // Stored as tokenExpiresAt: `expiresAt` is the table's TTL attribute, and TTL must not delete robots.
    await this.doc.send(new PutCommand({
      TableName: this.table, Item: { ...keys.robot(robot.id), ...rest, tokenExpiresAt: expiresAt },
    }));
  }

  async listRobots(): Promise<RobotToken[]> {
    return (await this.queryAll(ROBOTS_PK, prefixes.robot)).map((i) => robotOf(i)!);
  }

  async getAnonymousGrants(): Promise<Grant[]> {
    return ((await this.get(keys.anonymous()))?.grants as Grant[] | undefined) ?? [];
  }

  async setAnonymousGrants(grants: Grant[]): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.table, Item: { ...keys.anonymous(), grants } }));
  }

  /**
   * Counts one failed login of `account` (atomically: concurrent failures are all counted) and returns
   * the new state. From the 5th failure in a row on, the account is locked until
   * `now + 30 s × 2^(count − 5)`, capped at 15 minutes (5th: 30 s, 6th: 1 min, 7th: 2 min, ... 10th on: 15 min).
   * The counter is forgotten 1 hour after the last failure (TTL) or by clearLoginFailures (call it on
   * a successful login). Failures while locked still count, so hammering a locked account keeps it locked.
   */
  async recordLoginFailure(account: string, now: number): Promise<LoginFailures> {
    const key = keys.loginFailures(account);
    const nowSeconds = Math.floor(now / 1000);
    const expiresAt = nowSeconds + FAILURES_TTL_SECONDS;
    let count: number;
    try {
      const out = await this.doc.send(new UpdateCommand({
        TableName: this.table,
        Key: key,
        UpdateExpression: 'ADD #count :one SET expiresAt = :expiresAt',
        // An expired counter (TTL deletes late; emulators never do) starts again from zero, below.
        ConditionExpression: 'attribute_not_exists(expiresAt) OR expiresAt > :now',
        ExpressionAttributeNames: { '#count': 'count' },
        ExpressionAttributeValues: { ':one': 1, ':expiresAt': expiresAt, ':now': nowSeconds },
        ReturnValues: 'ALL_NEW',
      }));
      count = Number(out.Attributes!.count);
    } catch (err) {
      if ((err as { name?: string }).name !== 'ConditionalCheckFailedException') throw err;
      await this.doc.send(new PutCommand({ TableName: this.table, Item: { ...key, count: 1, expiresAt } }));
      count = 1;
    }
    const lock = lockDurationMs(count);
    if (lock === 0) return { count };
    const lockedUntil = now + lock;
    await this.doc.send(new UpdateCommand({
      TableName: this.table,
      Key: key,
      UpdateExpression: 'SET lockedUntil = :lockedUntil',
      ExpressionAttributeValues: { ':lockedUntil': lockedUntil },
    }));
    return { count, lockedUntil };
  }

  async getLoginFailures(account: string): Promise<LoginFailures | null> {
    const item = await this.get(keys.loginFailures(account));
    if (!item || Number(item.expiresAt) * 1000 <= this.now()) return null;
    const lockedUntil = item.lockedUntil === undefined ? undefined : Number(item.lockedUntil);
    return { count: Number(item.count), ...(lockedUntil === undefined ? {} : { lockedUntil }) };
  }

  async clearLoginFailures(account: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.table, Key: keys.loginFailures(account) }));
  }

  private async get(key: { pk: string; sk: string }): Promise<Item | null> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }));
    return (out.Item as Item | undefined) ?? null;
  }

  private async queryAll(pk: string, prefix: string): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }));
      items.push(...((out.Items ?? []) as Item[]));
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return items;
  }
}

function userOf(item: Item | null): User | null {
  if (!item) return null;
  return {
    name: item.name as string,
    passwordHash: item.passwordHash as string,
    grants: (item.grants as Grant[] | undefined) ?? [],
    catalog: item.catalog === true,
    admin: item.admin === true,
    ...(item.disabled === undefined ? {} : { disabled: item.disabled === true }),
    ...(typeof item.generation === 'string' ? { generation: item.generation } : {}),
  };
}

function robotOf(item: Item | null): RobotToken | null {
  if (!item) return null;
  return {
    id: item.id as string,
    name: item.name as string,
    secretHash: item.secretHash as string,
    grants: (item.grants as Grant[] | undefined) ?? [],
    createdAt: Number(item.createdAt),
    ...(item.tokenExpiresAt === undefined ? {} : { expiresAt: Number(item.tokenExpiresAt) }),
    ...(item.revoked === undefined ? {} : { revoked: item.revoked === true }),
  };
}
