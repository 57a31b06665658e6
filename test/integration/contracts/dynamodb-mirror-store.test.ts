/** The MirrorStore contract on the DynamoDB adapter (DynamoDB Local by default), one fresh table per test. */
import { DynamoDbMirrorStore } from '../../../lambda/adapters/dynamodb/dynamodb-mirror-store';
import { mirrorStoreContract } from '../../contracts/mirror-store.contract';
import { dynamoDbTables } from './dynamodb-tables';

const tables = dynamoDbTables('mirror-contract');
afterAll(() => tables.destroy());

mirrorStoreContract('DynamoDbMirrorStore', async () => new DynamoDbMirrorStore(tables.doc, await tables.create()));
