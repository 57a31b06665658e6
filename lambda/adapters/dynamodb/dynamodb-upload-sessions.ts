import { DeleteCommand, DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { UploadSession, UploadSessionStore } from '../../ports/upload-session-store';
import { UploadConflictError } from '../../ports/upload-session-store';
import { getItem, isConditionFailure, Item, TableRef } from './items';
import { keys, UPLOADS_BY_EXPIRY } from './keys';
import { queryAll } from './query';

/** UploadSessionStore on the registry's table, with the UploadsByExpiry index for the sweeper (layout in keys.ts). */
export class DynamoDbUploadSessions implements UploadSessionStore {
  private readonly t: TableRef;

  constructor(doc: DynamoDBDocumentClient, table: string, private readonly now: () => number = Date.now) {
    this.t = { doc, table };
  }

  async createUpload(session: UploadSession): Promise<void> {
    try {
      await this.t.doc.send(new PutCommand({
        TableName: this.t.table, Item: uploadItem(session), ConditionExpression: 'attribute_not_exists(pk)',
      }));
    } catch (err) {
      // The id is random: an item already there is this very write, retried by the SDK after a lost answer.
      if (!isConditionFailure(err)) throw err;
    }
  }

  async getUpload(id: string): Promise<UploadSession | null> {
    const item = await getItem(this.t, keys.upload(id));
    // TTL deletes late (and emulators never do): an expired session is treated as gone.
    if (!item || (item.expiresAt as number) * 1000 < this.now()) return null;
    return sessionOf(item);
  }

  async updateUpload(session: UploadSession, expectedOffset: number): Promise<void> {
    // An update, not a put: the part counter is kept (a racing writer may have raised it since the read).
    const { nextPart, ...rest } = uploadItem(session);
    delete rest.pk;
    delete rest.sk;
    const names: Record<string, string> = { '#offset': 'offset' };
    const values: Record<string, unknown> = { ':expected': expectedOffset };
    const set: string[] = [];
    for (const [name, value] of Object.entries(rest)) {
      if (value === undefined) continue;
      names[`#${name}`] = name;
      values[`:${name}`] = value;
      set.push(`#${name} = :${name}`);
    }
    if (nextPart !== undefined) {
      names['#nextPart'] = 'nextPart';
      values[':nextPart'] = nextPart;
      set.push('#nextPart = if_not_exists(#nextPart, :nextPart)');
    }
    const remove = OPTIONAL_SESSION_ATTRIBUTES.filter((a) => rest[a] === undefined).map((a) => {
      names[`#${a}`] = a;
      return `#${a}`;
    });
    try {
      await this.t.doc.send(new UpdateCommand({
        TableName: this.t.table, Key: keys.upload(session.id),
        UpdateExpression: `SET ${set.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`,
        ConditionExpression: 'attribute_exists(pk) AND #offset = :expected',
        ExpressionAttributeNames: names, ExpressionAttributeValues: values,
      }));
    } catch (err) {
      if (isConditionFailure(err)) throw new UploadConflictError(session.id);
      throw err;
    }
  }

  async reserveParts(id: string, count: number, base: number): Promise<number> {
    try {
      const out = await this.t.doc.send(new UpdateCommand({
        TableName: this.t.table, Key: keys.upload(id),
        UpdateExpression: 'SET #nextPart = if_not_exists(#nextPart, :base) + :count',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#nextPart': 'nextPart' }, ExpressionAttributeValues: { ':base': base, ':count': count },
        ReturnValues: 'UPDATED_NEW',
      }));
      return Number(out.Attributes?.nextPart) - count;
    } catch (err) {
      if (isConditionFailure(err)) throw new UploadConflictError(id);
      throw err;
    }
  }

  async deleteUpload(id: string): Promise<void> {
    await this.t.doc.send(new DeleteCommand({ TableName: this.t.table, Key: keys.upload(id) }));
  }

  async listExpiredUploads(beforeSeconds: number, limit: number): Promise<UploadSession[]> {
    const ids: string[] = [];
    for (const shard of UPLOADS_BY_EXPIRY.shards) {
      if (ids.length >= limit) break;
      const found = await queryAll(this.t.doc, {
        TableName: this.t.table,
        IndexName: UPLOADS_BY_EXPIRY.name,
        KeyConditionExpression: '#shard = :shard AND #expires < :before',
        ExpressionAttributeNames: { '#shard': UPLOADS_BY_EXPIRY.partitionKey, '#expires': UPLOADS_BY_EXPIRY.sortKey },
        ExpressionAttributeValues: { ':shard': shard, ':before': beforeSeconds },
      }, limit - ids.length);
      ids.push(...found.map((i) => (i.pk as string).slice('UPLOAD#'.length)));
    }
    // The index is eventually consistent and keys only: read each session itself, skipping any renewed or gone.
    const items = await Promise.all(ids.map((id) => getItem(this.t, keys.upload(id))));
    return items.filter((i): i is Item => i !== null && (i.expiresAt as number) < beforeSeconds).map(sessionOf);
  }
}

/** Session attributes a write removes when the session no longer has them. */
const OPTIONAL_SESSION_ATTRIBUTES = ['multipartId', 'tail', 'hashState', 'owner', 'secret'];

/** A session as stored: its keys and its UploadsByExpiry partition added. */
function uploadItem(session: UploadSession): Item {
  return { ...keys.upload(session.id), ...session, [UPLOADS_BY_EXPIRY.partitionKey]: keys.uploadShard(session.id) };
}

/** A session item without its keys. */
export function sessionOf(item: Item): UploadSession {
  const { pk: _pk, sk: _sk, [UPLOADS_BY_EXPIRY.partitionKey]: _shard, ...session } = item;
  return session as unknown as UploadSession;
}
