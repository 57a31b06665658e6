import { createServer, request, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One DynamoDB request as sent on the wire: its operation and its JSON body. */
export interface RecordedRequest {
  operation: string;
  body: Record<string, unknown>;
}

/**
 * A pass-through HTTP proxy in front of DynamoDB Local that keeps every request's operation and body, so a
 * test can read what the registry's adapter asked (e.g. which items each transaction writes) without a fake.
 */
export class DynamoDbRecorder {
  readonly requests: RecordedRequest[] = [];
  private server?: Server;

  constructor(private readonly target: string) {}

  /** Starts listening on 127.0.0.1; returns the endpoint to give the registry. */
  async start(): Promise<string> {
    const target = new URL(this.target);
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const operation = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
        this.requests.push({ operation, body: body.length > 0 ? JSON.parse(body.toString('utf8')) as Record<string, unknown> : {} });
        const out = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
          res.writeHead(answer.statusCode ?? 500, answer.headers);
          answer.pipe(res);
        });
        out.on('error', () => res.destroy());
        out.end(body);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The recorded requests of one operation (e.g. 'TransactWriteItems'). */
  of(operation: string): RecordedRequest[] {
    return this.requests.filter((r) => r.operation === operation);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** An item key of a recorded request (attribute values as sent: {"S": "..."}), as one string. */
export function wireKey(key: unknown): string {
  const k = key as { pk?: { S?: string }; sk?: { S?: string } };
  return `${k.pk?.S ?? '?'} | ${k.sk?.S ?? '?'}`;
}

/** The keys a TransactWriteItems body writes (Put, Update, Delete) and the keys it only checks (ConditionCheck). */
export function transactionKeys(body: Record<string, unknown>): { written: string[]; checked: string[] } {
  const written: string[] = [];
  const checked: string[] = [];
  for (const item of (body.TransactItems ?? []) as Array<Record<string, { Key?: unknown; Item?: unknown }>>) {
    if (item.Put) written.push(wireKey(item.Put.Item));
    if (item.Update) written.push(wireKey(item.Update.Key));
    if (item.Delete) written.push(wireKey(item.Delete.Key));
    if (item.ConditionCheck) checked.push(wireKey(item.ConditionCheck.Key));
  }
  return { written, checked };
}
