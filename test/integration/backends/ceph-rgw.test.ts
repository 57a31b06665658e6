/**
 * The Ceph RGW starter (local/backends/ceph-rgw.ts) that `npm run test:rgw` runs on: an S3 that takes its
 * user's keys and no others, and nothing left behind once stopped. Needs Ceph installed, as `npm test` does.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CEPH_INSTALL_COMMAND, checkCephInstalled, startCephRgw } from '../../../local/backends/ceph-rgw';
import { s3Error } from './s3-helpers';

/** Processes whose command line names `text`. */
function processesNaming(text: string): number[] {
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text);
    } catch {
      return false; // gone meanwhile
    }
  }).map(Number);
}

test('startCephRgw serves S3 with its user\'s keys only; stop kills its daemons and deletes its directory', async () => {
  const rgw = await startCephRgw();
  const config = { endpoint: rgw.endpoint, region: rgw.region, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' as const };
  const s3 = new S3Client({ ...config, credentials: { accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey } });
  const wrong = new S3Client({ ...config, credentials: { accessKeyId: rgw.accessKeyId, secretAccessKey: 'not-the-secret' } });
  try {
    expect(rgw.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await s3.send(new CreateBucketCommand({ Bucket: 'starter-test' }));
    await s3.send(new PutObjectCommand({ Bucket: 'starter-test', Key: 'k', Body: 'hello' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'starter-test', Key: 'k' }));
    expect(await got.Body!.transformToString()).toBe('hello');
    expect(await s3Error(wrong.send(new GetObjectCommand({ Bucket: 'starter-test', Key: 'k' }))))
      .toEqual({ name: 'SignatureDoesNotMatch', status: 403 });
    expect(processesNaming(rgw.dir).length).toBeGreaterThanOrEqual(3); // monitor, OSD, radosgw
  } finally {
    s3.destroy();
    wrong.destroy();
    await rgw.stop();
  }
  expect(existsSync(rgw.dir)).toBe(false);
  expect(processesNaming(rgw.dir)).toEqual([]);
});

test('without Ceph on the PATH the error names the apt-get line that installs it', async () => {
  const path = process.env.PATH;
  process.env.PATH = '/nonexistent';
  try {
    await expect(checkCephInstalled()).rejects.toThrow(CEPH_INSTALL_COMMAND);
  } finally {
    process.env.PATH = path;
  }
});
