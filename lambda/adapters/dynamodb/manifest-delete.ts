import { DeleteCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure, ItemKey, TableRef } from './items';
import { keys, prefixes, repoPk } from './keys';
import { queryAll } from './query';

/** A tag item's key and the write that put it there (absent on items written before writeId existed). */
interface TagKey extends ItemKey {
  writeId?: string;
}

/**
 * Deletes a manifest, its tags and its referrer entry; false when absent. A PUT of the same manifest may
 * race the delete. Tags seen before the manifest item is deleted and not rewritten since go with it; tags
 * that appear later go only while the manifest is still absent: when a PUT has brought it back, they are
 * that PUT's and stay (as does its referrer entry).
 */
export async function deleteManifestItems(t: TableRef, repo: string, digest: string): Promise<boolean> {
  const manifestKey = keys.manifest(repo, digest);
  const before = await tagsPointingAt(t, repo, digest);
  const out = await t.doc.send(new DeleteCommand({ TableName: t.table, Key: manifestKey, ReturnValues: 'ALL_OLD' }));
  if (!out.Attributes) return false;
  await Promise.all(before.map((tag) => deleteTagIfUnchanged(t, tag, digest)));
  const later: ItemKey[] = (await tagsPointingAt(t, repo, digest)).map(({ pk, sk }) => ({ pk, sk }));
  const subject = out.Attributes.subject as string | undefined;
  if (subject) later.push(keys.referrer(repo, subject, digest));
  await Promise.all(later.map((key) => deleteWhileAbsent(t, manifestKey, key)));
  return true;
}

async function tagsPointingAt(t: TableRef, repo: string, digest: string): Promise<TagKey[]> {
  const items = await queryAll(t.doc, {
    TableName: t.table,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    FilterExpression: 'digest = :digest',
    ExpressionAttributeValues: { ':pk': repoPk(repo), ':prefix': prefixes.tag, ':digest': digest },
    ProjectionExpression: 'pk, sk, writeId',
  });
  return items.map((i) => ({ pk: i.pk as string, sk: i.sk as string, writeId: i.writeId as string | undefined }));
}

async function deleteTagIfUnchanged(t: TableRef, tag: TagKey, digest: string): Promise<void> {
  try {
    await t.doc.send(new DeleteCommand({
      TableName: t.table, Key: { pk: tag.pk, sk: tag.sk },
      ConditionExpression: tag.writeId === undefined ? 'attribute_not_exists(writeId) AND digest = :digest' : 'writeId = :writeId',
      ExpressionAttributeValues: tag.writeId === undefined ? { ':digest': digest } : { ':writeId': tag.writeId },
    }));
  } catch (err) {
    if (!isConditionFailure(err)) throw err;
  }
}

/** Deletes `key` if the manifest item is absent; a transaction conflict (a racing PUT) is retried. */
async function deleteWhileAbsent(t: TableRef, manifestKey: ItemKey, key: ItemKey): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await t.doc.send(new TransactWriteCommand({
        TransactItems: [
          { ConditionCheck: { TableName: t.table, Key: manifestKey, ConditionExpression: 'attribute_not_exists(pk)' } },
          { Delete: { TableName: t.table, Key: key } },
        ],
      }));
      return;
    } catch (err) {
      const e = err as { name?: string; CancellationReasons?: Array<{ Code?: string }> };
      if (e.name !== 'TransactionCanceledException') throw err;
      if (e.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') return; // the manifest is back
      if (attempt >= 5) throw err;
      await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
    }
  }
}
