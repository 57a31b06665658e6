/**
 * transactWrite's answers to DynamoDB's cancellations, which DynamoDB Local does not produce on demand
 * (it serialises transactions, so it never reports TransactionConflict): a fake client stands in.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { transactWrite } from '../../../lambda/adapters/dynamodb/items';
import { BackendUnavailableError } from '../../../lambda/ports/backend-errors';

function cancelled(...codes: string[]): Error {
  return Object.assign(new Error('Transaction cancelled'), {
    name: 'TransactionCanceledException', CancellationReasons: codes.map((Code) => ({ Code })),
  });
}

/** A table whose client answers each send with the next of `answers` (an error is thrown). */
function tableAnswering(answers: Array<Error | undefined>) {
  let sends = 0;
  const doc = { send: async () => { const a = answers[sends++]; if (a) throw a; return {}; } } as unknown as DynamoDBDocumentClient;
  return { t: { doc, table: 't' }, sends: () => sends };
}

const items = [{ Put: { TableName: 't', Item: { pk: 'a', sk: 'b' } } }, { Put: { TableName: 't', Item: { pk: 'c', sk: 'd' } } }];

describe('transactWrite', () => {
  it('a TransactionConflict is retried until the transaction commits -> null', async () => {
    const { t, sends } = tableAnswering([cancelled('TransactionConflict', 'None'), cancelled('None', 'TransactionConflict'), undefined]);
    await expect(transactWrite(t, items)).resolves.toBeNull();
    expect(sends()).toBe(3);
  });

  it('a failed condition -> each item\'s reason code, without a retry', async () => {
    const { t, sends } = tableAnswering([cancelled('None', 'ConditionalCheckFailed')]);
    await expect(transactWrite(t, items)).resolves.toEqual(['None', 'ConditionalCheckFailed']);
    expect(sends()).toBe(1);
  });

  it('conflicts that never end -> BackendUnavailableError (503, the client retries)', async () => {
    const { t, sends } = tableAnswering(Array.from({ length: 10 }, () => cancelled('TransactionConflict', 'None')));
    await expect(transactWrite(t, items)).rejects.toBeInstanceOf(BackendUnavailableError);
    expect(sends()).toBe(6);
  });

  it('any other error is thrown as it is', async () => {
    const boom = Object.assign(new Error('bad request'), { name: 'ValidationException' });
    const { t } = tableAnswering([boom]);
    await expect(transactWrite(t, items)).rejects.toBe(boom);
  });
});
