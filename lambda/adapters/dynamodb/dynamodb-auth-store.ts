import {
  DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand, UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { FAILURES_TTL_SECONDS, LOCK_THRESHOLD, lockDurationMs } from '../../auth/lockout-policy';
import type { AuthStore, Grant, LoginAttempt, LoginFailures, RobotToken, User } from '../../ports/auth-store';
import { keys, prefixes, ROBOTS_PK, USERS_PK } from './keys';
import { queryAll } from './query';

type Item = Record<string, unknown>;

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
   * Reserves a password check (see the port). Below LOCK_THRESHOLD - 1 failures one atomic ADD does it,
   * so any number of parallel attempts get distinct counts and none is lost. The attempt that reaches the
   * threshold, and each one after a lock ends, goes through a compare-and-set on the count that also
   * writes the lock before the password is checked: of parallel attempts exactly one wins, the others
   * are refused. An expired counter (TTL deletes late; emulators never) starts again from zero.
   */
  async beginLoginAttempt(account: string, address: string, now: number): Promise<LoginAttempt> {
    const key = keys.loginFailures(account, address);
    const nowSeconds = Math.floor(now / 1000);
    const expiresAt = nowSeconds + FAILURES_TTL_SECONDS;
    for (let round = 0; round < 3; round++) {
      const counted = await this.conditionalUpdate({
        Key: key,
        UpdateExpression: 'ADD #count :one SET expiresAt = :expiresAt',
        ConditionExpression: 'attribute_not_exists(#count) OR (#count < :belowLock AND expiresAt > :now)',
        ExpressionAttributeNames: { '#count': 'count' },
        ExpressionAttributeValues: { ':one': 1, ':expiresAt': expiresAt, ':belowLock': LOCK_THRESHOLD - 1, ':now': nowSeconds },
      });
      if (counted.ok) return { allowed: true, failures: { count: Number(counted.item!.count) } };
      const old = counted.item;
      if (!old) continue; // deleted (a success) in between: count again
      const oldExpiresAt = Number(old.expiresAt);
      if (oldExpiresAt <= nowSeconds) {
        const reset = await this.conditionalUpdate({
          Key: key,
          UpdateExpression: 'SET #count = :one, expiresAt = :expiresAt REMOVE lockedUntil',
          ConditionExpression: 'expiresAt = :old',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: { ':one': 1, ':expiresAt': expiresAt, ':old': oldExpiresAt },
        });
        if (reset.ok) return { allowed: true, failures: { count: 1 } };
        continue;
      }
      const lockedUntil = old.lockedUntil === undefined ? undefined : Number(old.lockedUntil);
      if (lockedUntil !== undefined && lockedUntil > now) return { allowed: false, lockedUntil };
      const count = Number(old.count) + 1;
      const lock = now + lockDurationMs(count);
      const locked = await this.conditionalUpdate({
        Key: key,
        UpdateExpression: 'SET #count = :count, lockedUntil = :lock, expiresAt = :expiresAt',
        ConditionExpression: '#count = :old',
        ExpressionAttributeNames: { '#count': 'count' },
        ExpressionAttributeValues: { ':count': count, ':lock': lock, ':expiresAt': expiresAt, ':old': count - 1 },
      });
      if (locked.ok) return { allowed: true, failures: { count, lockedUntil: lock } };
      const winner = locked.item?.lockedUntil === undefined ? undefined : Number(locked.item.lockedUntil);
      if (winner !== undefined && winner > now) return { allowed: false, lockedUntil: winner };
    }
    // Still losing races after three rounds: others are guessing at this very moment.
    return { allowed: false, lockedUntil: now + 1000 };
  }

  async getLoginFailures(account: string, address: string): Promise<LoginFailures | null> {
    const item = await this.get(keys.loginFailures(account, address));
    if (!item || Number(item.expiresAt) * 1000 <= this.now()) return null;
    const lockedUntil = item.lockedUntil === undefined ? undefined : Number(item.lockedUntil);
    return { count: Number(item.count), ...(lockedUntil === undefined ? {} : { lockedUntil }) };
  }

  async clearLoginFailures(account: string, address: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.table, Key: keys.loginFailures(account, address) }));
  }

  /**
   * An UpdateItem that returns the new item, or (condition failed) the item as it was, if any: from the
   * failure itself where DynamoDB returns it, else read again. Only numbers are used from the old item.
   */
  private async conditionalUpdate(input: Omit<UpdateCommandInput, 'TableName' | 'ReturnValues'>): Promise<{ ok: boolean; item?: Item }> {
    try {
      const out = await this.doc.send(new UpdateCommand({
        ...input, TableName: this.table, ReturnValues: 'ALL_NEW', ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }));
      return { ok: true, item: out.Attributes as Item };
    } catch (err) {
      if ((err as { name?: string }).name !== 'ConditionalCheckFailedException') throw err;
      const old = (err as { Item?: Record<string, { N?: string }> }).Item;
      if (!old) return { ok: false, item: (await this.get(input.Key as { pk: string; sk: string })) ?? undefined };
      return { ok: false, item: Object.fromEntries(Object.entries(old).filter(([, v]) => v.N !== undefined).map(([k, v]) => [k, Number(v.N)])) };
    }
  }

  private async get(key: { pk: string; sk: string }): Promise<Item | null> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }));
    return (out.Item as Item | undefined) ?? null;
  }

  private async queryAll(pk: string, prefix: string): Promise<Item[]> {
    return queryAll(this.doc, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
      ConsistentRead: true,
    });
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
