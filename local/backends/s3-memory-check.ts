/**
 * Measures the local S3's memory on a large object: starts s3-server.ts in a child process, sends
 * a multipart upload (default 64 x 16 MiB = 1 GiB), completes it, GETs it back streamed and checks
 * its sha256, then prints the child's peak RSS (VmHWM). Linux only.
 *   npx tsx local/backends/s3-memory-check.ts [parts] [partMiB]
 */
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import {
  CompleteMultipartUploadCommand, CreateBucketCommand, CreateMultipartUploadCommand, GetObjectCommand,
  S3Client, UploadPartCommand,
} from '@aws-sdk/client-s3';
import { startLocalS3 } from './s3-server';

const MiB = 1024 * 1024;

async function statusKiB(pid: number, field: 'VmHWM' | 'VmRSS'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)![1]);
}

async function child(): Promise<void> {
  const s3 = await startLocalS3({ dataDir: process.argv[3] });
  process.send!({ endpoint: s3.endpoint });
  process.on('disconnect', () => void s3.stop().then(() => process.exit(0)));
}

async function parent(parts: number, partMiB: number): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'stratus-s3-memory-'));
  const proc = fork(__filename, ['child', dataDir], { execArgv: process.execArgv });
  const { endpoint } = await new Promise<{ endpoint: string }>((ok) => proc.once('message', ok as never));
  const pid = proc.pid!;
  const s3 = new S3Client({
    endpoint, region: 'us-east-1', forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED',
  });
  try {
    const Bucket = 'memory', Key = 'big';
    await s3.send(new CreateBucketCommand({ Bucket }));
    console.log(`idle RSS ${(await statusKiB(pid, 'VmRSS')) >> 10} MiB`);
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const body = Buffer.alloc(partMiB * MiB, 7);
    const hash = createHash('sha256');
    const etags = [];
    let t = Date.now();
    for (let n = 1; n <= parts; n++) {
      body.writeUInt32BE(n, 0); // parts differ, so order errors change the hash
      hash.update(body);
      const { ETag } = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: n, Body: body }));
      etags.push({ PartNumber: n, ETag });
    }
    const expected = hash.digest('hex');
    console.log(`uploaded ${parts} x ${partMiB} MiB in ${Date.now() - t} ms; peak RSS ${(await statusKiB(pid, 'VmHWM')) >> 10} MiB`);
    t = Date.now();
    await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: etags } }));
    console.log(`completed in ${Date.now() - t} ms; peak RSS ${(await statusKiB(pid, 'VmHWM')) >> 10} MiB`);
    t = Date.now();
    const res = await s3.send(new GetObjectCommand({ Bucket, Key }));
    const got = createHash('sha256');
    for await (const chunk of res.Body as Readable) got.update(chunk);
    const ok = got.digest('hex') === expected;
    console.log(`GET ${res.ContentLength} bytes in ${Date.now() - t} ms, sha256 ${ok ? 'matches' : 'DIFFERS'}; ` +
      `peak RSS ${(await statusKiB(pid, 'VmHWM')) >> 10} MiB`);
    if (!ok) process.exitCode = 1;
  } finally {
    s3.destroy();
    proc.disconnect();
    await new Promise((ok) => proc.once('exit', ok));
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'child') void child();
else void parent(Number(process.argv[2] ?? 64), Number(process.argv[3] ?? 16));
