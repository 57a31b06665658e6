import { addCapacity, ProbeTotals } from '../../../bench/sdk-probe';

const empty = (): ProbeTotals => ({ s3: {}, dynamodb: {}, dynamodbFailed: {}, readUnits: 0, writeUnits: 0 });

describe('bench SDK probe: DynamoDB consumed capacity', () => {
  it('counts a read command\'s CapacityUnits as read units and a write command\'s as write units', () => {
    const t = empty();
    addCapacity(t, 'Get', { CapacityUnits: 0.5 });
    addCapacity(t, 'Query', { CapacityUnits: 2 });
    addCapacity(t, 'Put', { CapacityUnits: 1 });
    addCapacity(t, 'TransactWrite', [{ CapacityUnits: 4 }, { CapacityUnits: 2 }]);
    expect(t.readUnits).toBe(2.5);
    expect(t.writeUnits).toBe(7);
  });

  it('prefers the split Read/WriteCapacityUnits when DynamoDB gives them (an update that reads and writes)', () => {
    const t = empty();
    addCapacity(t, 'Update', { CapacityUnits: 3, ReadCapacityUnits: 1, WriteCapacityUnits: 2 });
    expect([t.readUnits, t.writeUnits]).toEqual([1, 2]);
  });

  it('adds nothing when no capacity was returned', () => {
    const t = empty();
    addCapacity(t, 'Get', undefined);
    expect([t.readUnits, t.writeUnits]).toEqual([0, 0]);
  });
});
