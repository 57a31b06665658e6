/** The metadata contracts (blobs, manifests and tags, upload sessions, catalog) on the DynamoDB adapter. */
import { DynamoDbMetadataStore } from '../../../lambda/adapters/dynamodb/dynamodb-metadata-store';
import type { MetadataStore } from '../../../lambda/ports/metadata-store';
import { metadataStoreContract } from '../../contracts/metadata';
import { dynamoDbMarks } from '../../contracts/metadata/collector-marks';
import { dynamoDbTables } from './dynamodb-tables';

const tables = dynamoDbTables('meta-contract');
afterAll(() => tables.destroy());

/** Each store's table, for the collector's marks written behind it. */
const tableOf = new WeakMap<MetadataStore, string>();

metadataStoreContract('DynamoDbMetadataStore', async (now) => {
  const table = await tables.create();
  const store = new DynamoDbMetadataStore(tables.doc, table, now);
  tableOf.set(store, table);
  return store;
}, (store) => dynamoDbMarks(tables.doc, tableOf.get(store)!));
