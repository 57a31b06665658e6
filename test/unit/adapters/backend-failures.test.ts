process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'; // the pinned SDK runs on Node 20
import { PassThrough } from 'node:stream';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { backendFailure } from '../../../lambda/adapters/backend-failures';
import { createDocumentClient } from '../../../lambda/adapters/dynamodb/table';
import { createS3Client } from '../../../lambda/adapters/s3/s3-client';
import { BackendThrottledError, BackendUnavailableError } from '../../../lambda/ports/backend-errors';

const named = (name: string, extra: object = {}) => Object.assign(new Error(name), { name, ...extra });
const coded = (code: string) => Object.assign(new Error(`connect ${code}`), { code });
const credentials = { accessKeyId: 'k', secretAccessKey: 's' };

/**
 * Makes every command of `client` end in `outcome` (thrown, or returned as its output) without a network: at the
 * build step, before the SDK's retries, as if they had all been spent.
 */
function answerWith(client: { middlewareStack: { add: (...a: never[]) => void } }, outcome: () => unknown): void {
  const mw = () => async () => {
    const value = outcome();
    if (value instanceof Error) throw value;
    return { response: {}, output: { $metadata: {}, ...(value as object) } };
  };
  (client.middlewareStack.add as (m: unknown, o: unknown) => void)(mw, { step: 'build', priority: 'low', name: 'testAnswer' });
}

describe('backendFailure (what adapters translate)', () => {
  it.each([
    ['ECONNREFUSED', coded('ECONNREFUSED')],
    ['ECONNRESET', coded('ECONNRESET')],
    ['a reset as the cause', Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNRESET' } })],
    ['TimeoutError', named('TimeoutError')],
    ['a 5xx answer', named('InternalServerError', { $metadata: { httpStatusCode: 502 } })],
  ])('%s -> BackendUnavailableError', (_why, err) => {
    const failure = backendFailure('S3', err);
    expect(failure).toBeInstanceOf(BackendUnavailableError);
    expect((failure as BackendUnavailableError).cause).toBe(err);
  });

  it.each(['ThrottlingException', 'ProvisionedThroughputExceededException', 'SlowDown'])('%s -> BackendThrottledError', (name) => {
    expect(backendFailure('DynamoDB', named(name, { $metadata: { httpStatusCode: 400 } }))).toBeInstanceOf(BackendThrottledError);
  });

  it.each([
    named('ConditionalCheckFailedException', { $metadata: { httpStatusCode: 400 } }),
    named('TransactionCanceledException', { $metadata: { httpStatusCode: 400 } }),
    named('NoSuchKey', { $metadata: { httpStatusCode: 404 } }),
    named('NoSuchUpload', { $metadata: { httpStatusCode: 404 } }),
    named('PreconditionFailed', { $metadata: { httpStatusCode: 412 } }),
    new TypeError('x is undefined'),
  ])('leaves %s to the adapter methods', (err) => {
    expect(backendFailure('S3', err)).toBeUndefined();
  });
});

describe('the clients translate once, after their retries', () => {
  it('S3: a refused connection -> BackendUnavailableError; NoSuchKey passes through by name', async () => {
    const s3 = createS3Client({ endpoint: 'http://127.0.0.1:9', credentials });
    let next: Error = coded('ECONNREFUSED');
    answerWith(s3, () => next);
    await expect(s3.send(new GetObjectCommand({ Bucket: 'b', Key: 'k' }))).rejects.toBeInstanceOf(BackendUnavailableError);
    next = named('NoSuchKey', { $metadata: { httpStatusCode: 404 } });
    await expect(s3.send(new GetObjectCommand({ Bucket: 'b', Key: 'k' }))).rejects.toMatchObject({ name: 'NoSuchKey' });
  });

  it('DynamoDB (document client): throttling -> BackendThrottledError; ConditionalCheckFailedException passes through', async () => {
    const doc = createDocumentClient({ endpoint: 'http://127.0.0.1:9', credentials });
    let next: Error = named('ThrottlingException', { $metadata: { httpStatusCode: 400 } });
    answerWith(doc, () => next);
    await expect(doc.send(new GetCommand({ TableName: 't', Key: { pk: 'a', sk: 'b' } }))).rejects.toBeInstanceOf(BackendThrottledError);
    next = named('ConditionalCheckFailedException', { $metadata: { httpStatusCode: 400 } });
    await expect(doc.send(new GetCommand({ TableName: 't', Key: { pk: 'a', sk: 'b' } }))).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
  });

  it('S3: an object body cut off mid-way fails with BackendUnavailableError; a reader that stops early is not one', async () => {
    const s3 = createS3Client({ endpoint: 'http://127.0.0.1:9', credentials });
    const bodies: PassThrough[] = [];
    answerWith(s3, () => ({ Body: bodies[bodies.push(new PassThrough()) - 1] }));
    const cut = (await s3.send(new GetObjectCommand({ Bucket: 'b', Key: 'k' }))).Body as unknown as PassThrough;
    cut.write('some bytes');
    setImmediate(() => cut.destroy(coded('ECONNRESET')));
    await expect((async () => { for await (const _ of cut) void _; })()).rejects.toBeInstanceOf(BackendUnavailableError);

    const early = (await s3.send(new GetObjectCommand({ Bucket: 'b', Key: 'k' }))).Body as unknown as PassThrough;
    const premature = Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
    early.on('error', () => undefined);
    early.destroy(premature);
    expect(early.errored).toBe(premature);
  });
});
