import type { Catalog } from '../../../lambda/ports/catalog';
import type { Page } from '../../../lambda/ports/page';

/** Catalog in memory; the blob index and manifest store fakes add the repositories they write to. */
export class MemoryCatalog implements Catalog {
  readonly repositories = new Set<string>();

  /** Lists a repository (what linkBlob and putManifest do beside their own write). */
  add(repo: string): void { this.repositories.add(repo); }

  async addRepository(repo: string) { this.add(repo); }
  async repositoryExists(repo: string) { return this.repositories.has(repo); }
  async listRepositories(n: number, last?: string) { return pageOf([...this.repositories], n, last); }
}

/** Names in lexical (code unit) order after `last`, at most n, as DynamoDB sorts its sort keys. */
export function pageOf(all: string[], n: number, last?: string): Page {
  if (n === 0) return { items: [], more: false }; // as the adapter: an empty page announces no next one
  const sorted = all.sort().filter((x) => last === undefined || x > last);
  return { items: sorted.slice(0, n), more: sorted.length > n };
}
