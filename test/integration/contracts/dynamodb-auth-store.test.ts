/**
 * The AuthStore contract on the DynamoDB adapter (users, robots, anonymous grants, login attempts), and
 * what only this adapter has to get right: the item layout around the table's TTL attribute.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbAuthStore } from '../../../lambda/adapters/dynamodb/dynamodb-auth-store';
import { keys } from '../../../lambda/adapters/dynamodb/keys';
import { authStoreContract } from '../../contracts/auth-store.contract';
import { dynamoDbTables } from './dynamodb-tables';

const tables = dynamoDbTables('auth-contract');
afterAll(() => tables.destroy());

authStoreContract('DynamoDbAuthStore', async (now) => new DynamoDbAuthStore(tables.doc, await tables.create(), now));

describe('DynamoDbAuthStore items', () => {
  it("a robot's expiry is kept out of the TTL attribute, so TTL never deletes the robot", async () => {
    const table = await tables.create();
    const store = new DynamoDbAuthStore(tables.doc, table);
    await store.putRobot({ id: 'abc123', name: 'ci', secretHash: 'h', grants: [], createdAt: 1, expiresAt: 1_700_000_100 });
    const item = await tables.doc.send(new GetCommand({ TableName: table, Key: keys.robot('abc123') }));
    expect(item.Item!.expiresAt).toBeUndefined();
    expect(item.Item!.tokenExpiresAt).toBe(1_700_000_100);
    expect((await store.getRobot('abc123'))!.expiresAt).toBe(1_700_000_100);
  });
});
