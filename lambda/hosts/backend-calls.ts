import { AsyncLocalStorage } from 'node:async_hooks';

/** Which backend a call went to. */
export type Backend = 's3' | 'dynamodb';

/** Told of every AWS SDK command the registry sends (for benchmarks and call-budget tests). */
export type BackendCallObserver = (backend: Backend, command: string) => void;

/** The backend calls one request made (the Node host logs them with the request). */
export interface RequestCalls {
  s3: number;
  dynamodb: number;
  /** DynamoDB reads among them (GetItem, BatchGetItem, Query, Scan, TransactGetItems). */
  dynamodbReads: number;
}

const currentRequest = new AsyncLocalStorage<RequestCalls>();
const DYNAMODB_READ = /^(Get|BatchGet|Query|Scan|TransactGet)/;

/** Runs `work` with the backend calls it makes (across awaits) tallied in `calls`. */
export function countCallsOf<T>(calls: RequestCalls, work: () => T): T {
  return currentRequest.run(calls, work);
}

/** A fresh, empty tally for countCallsOf. */
export const noCalls = (): RequestCalls => ({ s3: 0, dynamodb: 0, dynamodbReads: 0 });

/** The part of an AWS SDK client this needs: its middleware stack. */
interface WithMiddleware {
  middlewareStack: { add: (mw: (next: (args: unknown) => Promise<unknown>, ctx: { commandName?: string }) => (args: unknown) => Promise<unknown>, opts: { step: 'deserialize'; name: string }) => void };
}

/**
 * Counts a client's requests through an SDK middleware: what the registry asks of S3 or DynamoDB, into
 * the tally of the request being served (countCallsOf) and to `observer` when given. At the deserialize
 * step it sees each HTTP attempt (retries included) and not presigning, which stops before any request
 * is sent.
 */
export function observeCalls<T>(client: T, backend: Backend, observer: BackendCallObserver | undefined): T {
  (client as unknown as WithMiddleware).middlewareStack.add(
    (next, context) => (args) => {
      const command = context.commandName ?? 'unknown';
      const calls = currentRequest.getStore();
      if (calls) {
        calls[backend]++;
        if (backend === 'dynamodb' && DYNAMODB_READ.test(command)) calls.dynamodbReads++;
      }
      observer?.(backend, command);
      return next(args);
    },
    { step: 'deserialize', name: 'stratusBackendCallObserver' },
  );
  return client;
}
