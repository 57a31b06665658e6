/**
 * `npm run test:rgw`: the integration tests that hold for any S3, on Ceph's RADOS Gateway, the second real
 * S3 of the test run. Starts RGW (local/backends/ceph-rgw.ts), then runs jest's integration project with
 * S3_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_REGION naming it, as a user would point the
 * suite at MinIO; global-setup.ts then starts only DynamoDB Local. Fails, naming the apt-get line, when Ceph
 * is not installed.
 *
 * Arguments replace the default choice of tests (below) and go to jest as they are:
 *   npm run test:rgw -- --runTestsByPath test/integration/http/blobs.test.ts
 * `--check-installed` alone only checks that Ceph is installed.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { checkCephInstalled, startCephRgw } from '../../local/backends/ceph-rgw';
import { S3_SERVER_VAR } from './backends/s3-helpers';

/**
 * What runs on RGW when no arguments are given: every integration test in which S3's behaviour matters — the
 * BlobStore contract on S3BlobStore, the S3 tests of backends/, the HTTP tests of blobs, uploads, mounts and
 * manifests (large bodies live in S3), and the reliability suite (faults, races, bad uploads, the sweeper's
 * aborts). Left out, to keep CI within its budget: files where S3 is incidental (auth, names, CORS of the
 * API, listings, the web UI, TLS; DynamoDB's transaction items, request counts and cached reads) and the
 * DynamoDB-only, CLI and local set-up files. `npm run test:rgw -- --testPathPattern /test/integration/` runs all.
 */
const DEFAULT_SELECTION = [
  '--testPathPattern',
  '/test/integration/(contracts/s3-|backends/s3-|http/(blob|upload|push-integrity|mount|manifests|manifest-delete)'
    + '|reliability/(?!concurrent-manifest-puts|call-budgets|bad-(names|queries|auth)))',
];

async function main(): Promise<number> {
  if (process.argv[2] === '--check-installed') {
    await checkCephInstalled(); // npm test asks first, rather than after the other suites' minutes
    return 0;
  }
  const started = Date.now();
  const rgw = await startCephRgw();
  console.log(`[test:rgw] Ceph RGW at ${rgw.endpoint}, started in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const args = process.argv.slice(2);
  const jest = spawn(process.execPath, [
    join(__dirname, '..', '..', 'node_modules', 'jest', 'bin', 'jest.js'),
    '--selectProjects', 'integration', '--runInBand', ...(args.length ? args : DEFAULT_SELECTION),
  ], {
    stdio: 'inherit',
    env: {
      ...process.env,
      S3_ENDPOINT: rgw.endpoint,
      AWS_ACCESS_KEY_ID: rgw.accessKeyId,
      AWS_SECRET_ACCESS_KEY: rgw.secretAccessKey,
      AWS_REGION: rgw.region,
      [S3_SERVER_VAR]: 'ceph-rgw',
    },
  });
  const forward = (signal: NodeJS.Signals) => jest.kill(signal);
  process.on('SIGINT', forward).on('SIGTERM', forward);
  const code = await new Promise<number>((ok) => jest.once('close', (c, signal) => ok(c ?? (signal ? 1 : 0))));
  await rgw.stop();
  console.log(`[test:rgw] done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return code;
}

main().then((code) => process.exit(code), (err) => {
  console.error(`[test:rgw] ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
