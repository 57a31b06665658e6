/**
 * `npx stratus backup <dir>` and `npx stratus restore <dir>`: the embedded data of a local data directory
 * (the table's items, the bucket's objects, the signing keys), while the registry runs or not.
 *
 * Consistency: the table is read first (consistent reads), then exactly the objects its records name
 * are copied. A recorded object is never deleted, so every record in a backup has its object, and
 * each blob's bytes are checked against its digest on the way. What the records point at and the scan
 * missed (a push landing meanwhile) is read afterwards (BackupClosure). Restore writes the objects first
 * and the items after them, so a running registry never sees a record whose object is not there yet.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, readdirSync, readFileSync, statSync, writeFileSync, WriteStream } from 'node:fs';
import { copyFile, mkdir, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AttributeValue, BatchWriteItemCommand, GetItemCommand, ScanCommand, WriteRequest } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { localKeyFile } from '../lambda/adapters/file/file-key-store';
import { BackupClosure } from './backup-closure';
import { BACKUP_FORMAT, BackupObject, backupFiles, BackupSummary, decodeItem, encodeItem, safeKey } from './backup-format';
import { CliError } from './errors';
import type { LocalBackends, LocalFallback } from './local-fallback';

/** Where a backup command writes: result lines, and a progress line that rewrites itself on a terminal. */
export interface BackupIo {
  out: (line: string) => void;
  err: (line: string) => void;
  progress?: (text: string) => void;
}

/** Items not backed up: upload sessions (their bytes are in S3 multipart uploads, which are not copied). */
const SKIPPED_PARTITION = /^UPLOAD#/;

/** Backs up the data directory's table and objects into `dir` (which must not exist or be empty). */
export async function backup(dir: string, dataDir: string, env: NodeJS.ProcessEnv, io: BackupIo, local: LocalFallback): Promise<BackupSummary> {
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new CliError(`${dir} is not empty: back up into a new directory`);
  await mkdir(dir, { recursive: true, mode: 0o700 }); // it holds password hashes and the signing keys
  const files = backupFiles(dir);
  const started = Date.now();
  const backends = await local.openBackends(dataDir, env, 'npx stratus backup', io.err);
  try {
    const dump = new TableDump(files.table);
    await scanTable(backends, dump, io);
    // Copy what the records name; then read what they point at and the scan missed, until nothing is missing.
    const copied = new Map<string, BackupObject>();
    let bytes = 0;
    let readAgain = 0;
    for (;;) {
      for (const [key, named] of dump.objects) {
        if (copied.has(key)) continue;
        const object = await copyObjectOut(backends, key, named.digest, files.object(key));
        copied.set(key, object);
        bytes += object.size;
        if (named.manifestPk) dump.closure.manifestBody(named.manifestPk, readFileSync(files.object(key)));
        io.progress?.(`objects ${copied.size}/${dump.objects.size}, ${mb(bytes)}`);
      }
      const missing = dump.closure.takeMissing();
      if (missing.length === 0) break;
      for (const key of missing) {
        const got = await backends.dynamodb.send(new GetItemCommand({ TableName: backends.table, Key: { pk: { S: key.pk }, sk: { S: key.sk } }, ConsistentRead: true }));
        if (got.Item) (dump.write(got.Item), readAgain++);
      }
    }
    await dump.end();
    const objects = [...copied.values()];
    writeFileSync(files.objects, objects.map((o) => JSON.stringify(o)).join('\n') + (objects.length ? '\n' : ''), { mode: 0o600 });
    const keyFile = localKeyFile(dataDir);
    const signingKeys = existsSync(keyFile);
    if (signingKeys) await copyFile(keyFile, files.signingKeys);
    const summary: BackupSummary = {
      format: BACKUP_FORMAT, createdAt: new Date(started).toISOString(), table: backends.table, bucket: backends.bucket,
      items: dump.items, objects: objects.length, bytes, signingKeys,
    };
    writeFileSync(files.summary, JSON.stringify(summary, null, 2), { mode: 0o600 }); // last: the backup is complete
    io.progress?.('');
    io.out(`backup of ${backends.description}: ${dump.items} items${readAgain ? ` (${readAgain} read after the scan)` : ''}, ` +
      `${objects.length} objects (${mb(bytes)})${signingKeys ? ', signing keys' : ''} in ${dir} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    return summary;
  } finally {
    await backends.close();
  }
}

/** table.jsonl being written: the items, the objects they name, and what they point at (BackupClosure). */
class TableDump {
  items = 0;
  /** Object key -> the blob digest its bytes must hash to ('' for a manifest body), and the body's repository. */
  readonly objects = new Map<string, { digest: string; manifestPk?: string }>();
  readonly closure = new BackupClosure();
  private readonly out: WriteStream;

  constructor(file: string) {
    this.out = createWriteStream(file, { mode: 0o600 });
  }

  write(item: Record<string, AttributeValue>): void {
    this.out.write(`${encodeItem(item)}\n`);
    this.items++;
    this.closure.add(item);
    if (item.objectKey?.S) this.objects.set(item.objectKey.S, { digest: item.digest?.S ?? '' });
    if (item.bodyKey?.S) this.objects.set(item.bodyKey.S, { digest: '', manifestPk: item.pk.S });
  }

  end(): Promise<void> {
    return new Promise((ok, fail) => this.out.end((err?: Error | null) => (err ? fail(err) : ok())));
  }
}

/** Scans the whole table with consistent reads into the dump, upload sessions left out. */
async function scanTable(b: LocalBackends, dump: TableDump, io: BackupIo): Promise<void> {
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await b.dynamodb.send(new ScanCommand({ TableName: b.table, ConsistentRead: true, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) if (!SKIPPED_PARTITION.test(item.pk.S ?? '')) dump.write(item);
    start = page.LastEvaluatedKey;
    io.progress?.(`table: ${dump.items} items`);
  } while (start);
}

/** Copies one object into the backup, hashing it; a blob whose bytes do not match its digest stops the backup. */
async function copyObjectOut(b: LocalBackends, key: string, digest: string, path: string): Promise<BackupObject> {
  const got = await b.s3.send(new GetObjectCommand({ Bucket: b.bucket, Key: safeKey(key) })).catch((err: { name?: string }) => {
    if (err.name === 'NoSuchKey') throw new CliError(`the table names object ${key}, which is missing from bucket ${b.bucket}`);
    throw err;
  });
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const hash = createHash('sha256');
  let size = 0;
  const tmp = `${path}.partial`;
  await pipeline(got.Body as Readable, tap(hash, (n) => (size += n)), createWriteStream(tmp, { mode: 0o600 }));
  const sha256 = hash.digest('hex');
  if (digest.startsWith('sha256:') && digest !== `sha256:${sha256}`) {
    throw new CliError(`object ${key} of blob ${digest} holds bytes with sha256:${sha256}: the bucket is damaged`);
  }
  await rename(tmp, path);
  return { key, size, sha256 };
}

/** Restores a backup into the data directory's table and bucket, which must be empty unless `force`. */
export async function restore(dir: string, dataDir: string, env: NodeJS.ProcessEnv, io: BackupIo, local: LocalFallback, force = false): Promise<void> {
  if (!existsSync(backupFiles(dir).summary)) throw new CliError(`${dir} holds no complete backup (no stratus-backup.json)`);
  const summary = JSON.parse(readFileSync(backupFiles(dir).summary, 'utf8')) as BackupSummary;
  if (summary.format !== 1 && summary.format !== 2) throw new CliError(`${dir}: backup format ${summary.format} is not one this version reads`);
  const files = backupFiles(dir, summary.format);
  const objects = readFileSync(files.objects, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as BackupObject);
  objects.forEach((o) => safeKey(o.key));
  const started = Date.now();
  const backends = await local.openBackends(dataDir, env, 'npx stratus restore', io.err);
  try {
    if (!force) await refuseNonEmpty(backends);
    let bytes = 0;
    for (const [i, o] of objects.entries()) {
      await copyObjectIn(backends, o, files.object(o.key));
      bytes += o.size;
      io.progress?.(`objects ${i + 1}/${objects.length}, ${mb(bytes)}`);
    }
    const items = await writeItems(backends, files.table, io);
    const keyFile = localKeyFile(dataDir);
    const keys = summary.signingKeys && (force || !existsSync(keyFile));
    if (keys) await copyFile(files.signingKeys, keyFile);
    io.progress?.('');
    io.out(`restored ${items} items and ${objects.length} objects (${mb(bytes)})${keys ? ' and the signing keys' : ''} ` +
      `from ${dir} into ${backends.description} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    if (keys && backends.description.startsWith('the running')) io.out('restart npm start to sign tokens with the restored keys');
  } finally {
    await backends.close();
  }
}

async function refuseNonEmpty(b: LocalBackends): Promise<void> {
  const scan = await b.dynamodb.send(new ScanCommand({ TableName: b.table, Limit: 1 }));
  const list = await b.s3.send(new ListObjectsV2Command({ Bucket: b.bucket, MaxKeys: 1 }));
  if ((scan.Items?.length ?? 0) > 0 || (list.KeyCount ?? 0) > 0) {
    throw new CliError(`table ${b.table} or bucket ${b.bucket} of ${b.description} is not empty: restore into a new data ` +
      'directory (--data-dir <dir>), or pass --force to write the backup over what is there');
  }
}

/** Uploads one object after checking the backup's file still has the bytes it had when backed up. */
async function copyObjectIn(b: LocalBackends, o: BackupObject, path: string): Promise<void> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  const size = statSync(path).size;
  if (hash.digest('hex') !== o.sha256 || size !== o.size) throw new CliError(`${path} does not hold the bytes backed up (size or sha256 differs): the backup is damaged`);
  await b.s3.send(new PutObjectCommand({ Bucket: b.bucket, Key: o.key, Body: createReadStream(path), ContentLength: size }));
}

/** Writes table.jsonl's items in batches of 25 (DynamoDB's limit), retrying what DynamoDB leaves unprocessed. */
async function writeItems(b: LocalBackends, file: string, io: BackupIo): Promise<number> {
  let batch: WriteRequest[] = [];
  let written = 0;
  const flush = async () => {
    let pending = batch;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await new Promise((ok) => setTimeout(ok, Math.min(1000, 50 * 2 ** attempt)));
      const res = await b.dynamodb.send(new BatchWriteItemCommand({ RequestItems: { [b.table]: pending } }));
      pending = res.UnprocessedItems?.[b.table] ?? [];
    }
    written += batch.length;
    batch = [];
    io.progress?.(`table: ${written} items`);
  };
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    if (!line) continue;
    batch.push({ PutRequest: { Item: decodeItem(line) } });
    if (batch.length === 25) await flush();
  }
  if (batch.length) await flush();
  return written;
}

function tap(hash: ReturnType<typeof createHash>, count: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      count(chunk.length);
      done(null, chunk);
    },
  });
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
