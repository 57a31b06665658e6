import { getItem, Item, ItemKey, TableRef } from './items';

/**
 * A read of an item whose content never changes once written (a manifest by digest, a blob link): first
 * eventually consistent (half the read units of a strong read, so one item's partition serves twice the
 * pulls: 3,000 units/s are 6,000 reads/s of an item up to 4 KB), then strongly consistent only when that
 * found nothing (DynamoDB may not have it on every replica yet), so a pull
 * right after the push still finds what the push wrote. What a stale hit can show: an item deleted a
 * moment ago, or GC marks a moment old (callers that act on marks write conditionally, never on a read).
 */
export async function getSettledItem(t: TableRef, key: ItemKey): Promise<Item | null> {
  return (await getItem(t, key, { consistent: false })) ?? getItem(t, key, { consistent: true });
}
