import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Catalog } from '../../ports/catalog';
import type { Page } from '../../ports/page';
import { getItem, putItem, TableRef } from './items';
import { CATALOG_PK, keys, prefixes } from './keys';
import { pageOfNames } from './query';

/** Catalog on the registry's table: one item per repository in the CATALOG partition (layout in keys.ts). */
export class DynamoDbCatalog implements Catalog {
  private readonly t: TableRef;

  constructor(doc: DynamoDBDocumentClient, table: string) {
    this.t = { doc, table };
  }

  async repositoryExists(repo: string): Promise<boolean> {
    return (await getItem(this.t, keys.catalog(repo))) !== null;
  }

  async addRepository(repo: string): Promise<void> {
    await putItem(this.t, { ...keys.catalog(repo), name: repo });
  }

  async listRepositories(n: number, last?: string): Promise<Page> {
    return pageOfNames(this.t.doc, this.t.table, CATALOG_PK, prefixes.repo, n, last);
  }
}
