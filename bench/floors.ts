/**
 * The floors the registries are measured against, in the same run: this machine's sha256 speed
 * (node:crypto) and the local S3 server's raw speed for the same bytes (AWS SDK straight to a fresh
 * patched s3rver: single PutObject, multipart upload in the registry's part size, GetObject), each with
 * the layers in parallel as a registry receives them.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectCommand, PutObjectCommand, S3Client, UploadPartCommand,
} from '@aws-sdk/client-s3';
import { createS3Client, ensureBucket } from '../lambda/adapters/s3/s3-client';
import { defaultConfig } from '../lambda/core/config';
import { startCountingS3 } from './s3-counting-server';
import type { Blob } from './image';
import { round } from './stats';

/** Seconds per run of each way of moving the bytes through the local S3 server. */
export interface S3Floor { putSeconds: number[]; multipartSeconds: number[]; getSeconds: number[]; partSizeMB: number }

/** Floors: sha256 MB/s, and the S3 server's times for the image and for the big layer. */
export interface Floors { sha256MBps: number[]; image: S3Floor; big: S3Floor }

/** MB/s of sha256 over a 64 MiB buffer, one pass per run. */
export function sha256Speed(runs: number): number[] {
  const buf = randomBytes(64 * 2 ** 20);
  createHash('sha256').update(buf.subarray(0, 2 ** 20)).digest(); // warm
  return Array.from({ length: runs }, () => {
    const t0 = performance.now();
    createHash('sha256').update(buf).digest();
    return round(64 / ((performance.now() - t0) / 1000));
  });
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await work();
  return round((performance.now() - t0) / 1000, 3);
}

async function putSingle(s3: S3Client, Bucket: string, Key: string, l: Blob): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket, Key, Body: createReadStream(l.path), ContentLength: l.size }));
}

async function putMultipart(s3: S3Client, Bucket: string, Key: string, l: Blob, partSize: number): Promise<void> {
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
  const Parts: Array<{ PartNumber: number; ETag: string }> = [];
  for (let start = 0, PartNumber = 1; start < l.size; start += partSize, PartNumber++) {
    const end = Math.min(l.size, start + partSize);
    const res = await s3.send(new UploadPartCommand({
      Bucket, Key, UploadId, PartNumber, ContentLength: end - start, Body: createReadStream(l.path, { start, end: end - 1 }),
    }));
    Parts.push({ PartNumber, ETag: res.ETag! });
  }
  await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts } }));
}

async function getAll(s3: S3Client, Bucket: string, Key: string): Promise<void> {
  const res = await s3.send(new GetObjectCommand({ Bucket, Key }));
  for await (const _ of res.Body as AsyncIterable<Uint8Array>) { /* drain */ }
}

async function s3Floor(s3: S3Client, Bucket: string, name: string, layers: Blob[], runs: number): Promise<S3Floor> {
  const partSize = defaultConfig.partSize;
  const f: S3Floor = { putSeconds: [], multipartSeconds: [], getSeconds: [], partSizeMB: partSize / 2 ** 20 };
  for (let run = 0; run < runs; run++) {
    f.putSeconds.push(await timed(() => Promise.all(layers.map((l, i) => putSingle(s3, Bucket, `${name}/${run}/put/${i}`, l)))));
    f.multipartSeconds.push(await timed(() => Promise.all(layers.map((l, i) => putMultipart(s3, Bucket, `${name}/${run}/mp/${i}`, l, partSize)))));
    f.getSeconds.push(await timed(() => Promise.all(layers.map((_l, i) => getAll(s3, Bucket, `${name}/${run}/put/${i}`)))));
  }
  return f;
}

/** Measures every floor on a fresh local S3 server under `work`. */
export async function measureFloors(work: string, image: Blob[], big: Blob[], runs: number): Promise<Floors> {
  const sha256MBps = sha256Speed(Math.max(3, runs));
  const server = await startCountingS3(join(work, 'floor-s3'));
  try {
    const s3 = createS3Client({
      endpoint: server.endpoint, region: server.region, forcePathStyle: true,
      credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    });
    const Bucket = 'floor';
    await ensureBucket(s3, Bucket);
    await putSingle(s3, Bucket, 'warmup', { ...image[image.length - 1]! }); // JIT of the S3 server
    const result = { sha256MBps, image: await s3Floor(s3, Bucket, 'image', image, runs), big: await s3Floor(s3, Bucket, 'big', big, 1) };
    s3.destroy();
    return result;
  } finally {
    await server.stop();
  }
}
