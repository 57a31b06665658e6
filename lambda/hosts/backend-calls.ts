/** Which backend a call went to. */
export type Backend = 's3' | 'dynamodb';

/** Told of every AWS SDK command the registry sends (for benchmarks and call-budget tests). */
export type BackendCallObserver = (backend: Backend, command: string) => void;

/** The part of an AWS SDK client this needs: its middleware stack. */
interface WithMiddleware {
  middlewareStack: { add: (mw: (next: (args: unknown) => Promise<unknown>, ctx: { commandName?: string }) => (args: unknown) => Promise<unknown>, opts: { step: 'deserialize'; name: string }) => void };
}

/**
 * Counts a client's requests through an SDK middleware: what the registry asks of S3 or DynamoDB.
 * At the deserialize step it sees each HTTP attempt (retries included) and not presigning, which
 * stops before any request is sent.
 */
export function observeCalls<T>(client: T, backend: Backend, observer: BackendCallObserver | undefined): T {
  if (!observer) return client;
  (client as unknown as WithMiddleware).middlewareStack.add(
    (next, context) => (args) => {
      observer(backend, context.commandName ?? 'unknown');
      return next(args);
    },
    { step: 'deserialize', name: 'stratusBackendCallObserver' },
  );
  return client;
}
