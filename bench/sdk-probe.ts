/**
 * Preloaded into Stratus's Node host by the bench (`node --require tsx/cjs --require ./bench/sdk-probe.ts`,
 * with STRATUS_BENCH_PROBE=<file>): counts every S3 and DynamoDB command the registry sends, by command,
 * and the DynamoDB read and write units each consumed (it asks for ReturnConsumedCapacity=TOTAL, which
 * DynamoDB Local answers as AWS does), and writes the running totals to <file> as JSON when sent SIGUSR2.
 * Bench-only: it patches the SDK clients' `send` in this process, so the registry's code is unchanged;
 * the Lambda bundle carries its own copy of the SDK and is not probed.
 */
import { writeFileSync } from 'node:fs';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Running totals since the process started. */
export interface ProbeTotals {
  s3: Record<string, number>;
  dynamodb: Record<string, number>;
  /** DynamoDB commands that failed (a failed conditional write still costs a write unit on AWS). */
  dynamodbFailed: Record<string, number>;
  readUnits: number;
  writeUnits: number;
  /** How many times the totals were written (the bench waits for it to grow). */
  seq?: number;
}

/** The DynamoDB data-plane commands that accept ReturnConsumedCapacity. */
const WITH_CAPACITY = /^(Get|Put|Update|Delete|Query|Scan|BatchGet|BatchWrite|TransactGet|TransactWrite)(Item|Items)?Command$|^(Query|Scan)Command$/;
const READS = /^(Get|Query|Scan|BatchGet|TransactGet)/;

interface Capacity { CapacityUnits?: number; ReadCapacityUnits?: number; WriteCapacityUnits?: number }
interface Stack { add(mw: unknown, opts: { step: string; name: string }): void }

const totals: ProbeTotals = { s3: {}, dynamodb: {}, dynamodbFailed: {}, readUnits: 0, writeUnits: 0 };
const probed = new WeakSet<object>();

/** Adds a command's consumed capacity to the totals (read or write by the fields given, else by the command). */
export function addCapacity(into: ProbeTotals, command: string, consumed: Capacity | Capacity[] | undefined): void {
  for (const c of consumed === undefined ? [] : Array.isArray(consumed) ? consumed : [consumed]) {
    if (c.ReadCapacityUnits !== undefined || c.WriteCapacityUnits !== undefined) {
      into.readUnits += c.ReadCapacityUnits ?? 0;
      into.writeUnits += c.WriteCapacityUnits ?? 0;
    } else if (READS.test(command)) into.readUnits += c.CapacityUnits ?? 0;
    else into.writeUnits += c.CapacityUnits ?? 0;
  }
}

type Next = (a: { input: Record<string, unknown> }) => Promise<{ output?: { ConsumedCapacity?: Capacity | Capacity[] } }>;
type Context = { commandName?: string };

function probe(stack: Stack, backend: 's3' | 'dynamodb'): void {
  if (probed.has(stack)) return;
  probed.add(stack);
  const name = (context: Context) => (context.commandName ?? 'unknown').replace(/Command$/, '');
  // Asked for before serialization and read once deserialized (DynamoDB has no presigning)...
  if (backend === 'dynamodb') {
    stack.add((next: Next, context: Context) => async (args: { input: Record<string, unknown> }) => {
      const command = name(context);
      if (!WITH_CAPACITY.test(`${command}Command`)) return next(args);
      try {
        const result = await next({ ...args, input: { ...args.input, ReturnConsumedCapacity: 'TOTAL' } });
        addCapacity(totals, command, result.output?.ConsumedCapacity);
        return result;
      } catch (err) {
        totals.dynamodbFailed[command] = (totals.dynamodbFailed[command] ?? 0) + 1;
        throw err;
      }
    }, { step: 'initialize', name: 'stratusBenchProbeCapacity' });
  }
  // ...and each request counted where requests are really sent (retries included; presigning stops before).
  stack.add((next: Next, context: Context) => (args: { input: Record<string, unknown> }) => {
    const command = name(context);
    totals[backend][command] = (totals[backend][command] ?? 0) + 1;
    return next(args);
  }, { step: 'deserialize', name: 'stratusBenchProbeCount' });
}

function patch(proto: { send: (...a: unknown[]) => unknown }, backend: 's3' | 'dynamodb'): void {
  const send = proto.send;
  proto.send = function (this: { middlewareStack: Stack }, ...a: unknown[]) {
    probe(this.middlewareStack, backend);
    return send.apply(this, a);
  };
}

const file = process.env.STRATUS_BENCH_PROBE;
if (file) {
  patch(S3Client.prototype as never, 's3');
  patch(DynamoDBClient.prototype as never, 'dynamodb');
  patch(DynamoDBDocumentClient.prototype as never, 'dynamodb');
  // Written only when the bench asks (SIGUSR2, to this process alone), numbered so that it knows the
  // answer is fresh: a timer writing it would block the event loop on every write (measured: 0.5 s in
  // 20 s of pushes on a busy disk).
  let seq = 0;
  process.on('SIGUSR2', () => writeFileSync(file, JSON.stringify({ ...totals, seq: ++seq })));
}
