/** The PolicyStore contract on the DynamoDB adapter (DynamoDB Local by default), one fresh table per test. */
import { DynamoDbPolicyStore } from '../../../lambda/adapters/dynamodb/dynamodb-policy-store';
import { policyStoreContract } from '../../contracts/policy-store.contract';
import { dynamoDbTables } from './dynamodb-tables';

const tables = dynamoDbTables('policy-contract');
afterAll(() => tables.destroy());

policyStoreContract('DynamoDbPolicyStore', async () => new DynamoDbPolicyStore(tables.doc, await tables.create()));
