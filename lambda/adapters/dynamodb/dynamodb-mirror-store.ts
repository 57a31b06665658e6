import { DeleteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { MirroredRepository, MirrorRule, MirrorStore, TagCheck } from '../../ports/mirror-store';
import { deleteReturning, getItem, isConditionFailure, Item, putItem, TableRef } from './items';
import { keys, MIRROR_PK, prefixes, TTL_ATTRIBUTE } from './keys';
import { queryAll } from './query';

/**
 * MirrorStore on the registry's table (layout rows in keys.ts). Rules share one partition (a handful, read
 * all at once); a repository's mark and tag checks sit in its partition under sort keys the collector
 * (gc-items.ts) and tag listings do not read (`MIRROR`, `MIRRORTAG#`); leases have a partition each, so
 * twenty hosts racing for one blob contend on one item only.
 */
export class DynamoDbMirrorStore implements MirrorStore {
  private readonly t: TableRef;

  constructor(doc: DynamoDBDocumentClient, table: string) {
    this.t = { doc, table };
  }

  async putRule(rule: MirrorRule): Promise<void> {
    await putItem(this.t, {
      ...keys.mirrorRule(rule.prefix),
      upstream: rule.upstream,
      credentialsRef: rule.credentialsRef,
      tagTtlSeconds: rule.tagTtlSeconds,
      anonymousPull: rule.anonymousPull,
      localOnly: rule.localOnly || undefined,
      createdAt: rule.createdAt,
    });
  }

  async deleteRule(prefix: string): Promise<boolean> {
    return deleteReturning(this.t, keys.mirrorRule(prefix));
  }

  async listRules(): Promise<MirrorRule[]> {
    const items = await queryAll(this.t.doc, {
      TableName: this.t.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': MIRROR_PK, ':prefix': prefixes.mirrorRule },
      ConsistentRead: true,
    });
    return items.map(ruleOf);
  }

  async getMirrored(repository: string): Promise<MirroredRepository | null> {
    const item = await getItem(this.t, keys.mirrorMark(repository));
    return item ? { repository, prefix: item.prefix as string, since: Number(item.since) } : null;
  }

  async markMirrored(mark: MirroredRepository): Promise<void> {
    try {
      await this.t.doc.send(new PutCommand({
        TableName: this.t.table,
        Item: { ...keys.mirrorMark(mark.repository), prefix: mark.prefix, since: mark.since },
        ConditionExpression: 'attribute_not_exists(pk)', // the first mark stays: `since` is when it was first filled
      }));
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
  }

  async getTagCheck(repository: string, tag: string): Promise<TagCheck | null> {
    const item = await getItem(this.t, keys.mirrorTagCheck(repository, tag));
    return item ? { repository, tag, digest: item.digest as string, checkedAt: Number(item.checkedAt) } : null;
  }

  async putTagCheck(check: TagCheck): Promise<void> {
    await putItem(this.t, { ...keys.mirrorTagCheck(check.repository, check.tag), digest: check.digest, checkedAt: check.checkedAt });
  }

  async acquireLease(key: string, holder: string, now: number, ttlMs: number): Promise<boolean> {
    const until = now + ttlMs;
    try {
      await this.t.doc.send(new PutCommand({
        TableName: this.t.table,
        // TTL removes a lease its holder never released (a host that died); reads go by leaseUntil, as TTL is late.
        Item: { ...keys.lease(key), holder, leaseUntil: until, [TTL_ATTRIBUTE]: Math.ceil(until / 1000) },
        ConditionExpression: 'attribute_not_exists(pk) OR holder = :me OR leaseUntil < :now',
        ExpressionAttributeValues: { ':me': holder, ':now': now },
      }));
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  async releaseLease(key: string, holder: string): Promise<void> {
    try {
      await this.t.doc.send(new DeleteCommand({
        TableName: this.t.table, Key: keys.lease(key), ConditionExpression: 'holder = :me', ExpressionAttributeValues: { ':me': holder },
      }));
    } catch (err) {
      if (!isConditionFailure(err)) throw err; // another holder's lease (ours expired and was taken), or none
    }
  }
}

function ruleOf(item: Item): MirrorRule {
  return {
    prefix: (item.sk as string).slice(prefixes.mirrorRule.length),
    upstream: item.upstream as string,
    ...(typeof item.credentialsRef === 'string' ? { credentialsRef: item.credentialsRef } : {}),
    tagTtlSeconds: Number(item.tagTtlSeconds),
    anonymousPull: item.anonymousPull === true,
    ...(item.localOnly === true ? { localOnly: true } : {}),
    createdAt: Number(item.createdAt),
  };
}
