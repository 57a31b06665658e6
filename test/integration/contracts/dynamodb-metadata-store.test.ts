/** The metadata contracts (blobs, manifests and tags, upload sessions, catalog) on the DynamoDB adapter. */
import { DynamoDbMetadataStore } from '../../../lambda/adapters/dynamodb/dynamodb-metadata-store';
import { metadataStoreContract } from '../../contracts/metadata';
import { dynamoDbTables } from './dynamodb-tables';

const tables = dynamoDbTables('meta-contract');
afterAll(() => tables.destroy());

metadataStoreContract('DynamoDbMetadataStore', async (now) => new DynamoDbMetadataStore(tables.doc, await tables.create(), now));
