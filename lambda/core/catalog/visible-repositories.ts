import type { Caller } from '../../auth/caller';
import type { Catalog } from '../../ports/catalog';
import type { DepsUsing } from '../config';

/** Names asked of the store per read: about 1,000 catalog keys fit one DynamoDB query page (1 MB) many times over. */
const READ_BATCH = 1000;

/** A catalog page: the names to show, and where the next page starts (absent on the last page). */
export interface CatalogPage {
  items: string[];
  /** The name the next page continues after: the last shown, or the last examined when the page is short. */
  continueAfter?: string;
}

/**
 * The repositories after `last` that the caller may see, at most n. The names examined are bounded
 * (catalogScanLimit, or n when larger): a caller who may see few repositories gets a short page that
 * continues after the last name examined, rather than one request that reads the whole catalog.
 */
export async function visibleRepositories(deps: DepsUsing<Catalog>, caller: Caller, n: number, last?: string): Promise<CatalogPage> {
  const items: string[] = [];
  if (n === 0) return { items };
  let budget = Math.max(n, deps.config.catalogScanLimit);
  let after = last;
  while (budget > 0) {
    const page = await deps.meta.listRepositories(Math.min(Math.max(n, READ_BATCH), budget), after);
    budget -= page.items.length;
    for (const name of page.items) {
      if (!caller.listable(name)) continue;
      if (items.length === n) return { items, continueAfter: items[n - 1] };
      items.push(name);
    }
    if (!page.more || page.items.length === 0) return { items };
    if (items.length === n) return { items, continueAfter: items[n - 1] };
    after = page.items[page.items.length - 1];
  }
  return { items, continueAfter: after };
}
