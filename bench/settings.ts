/** The bench's mode and constants: --quick (under 2 minutes) or full, and --only=<contenders>. */
import { resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..');
export const QUICK = process.argv.includes('--quick');
export const ONLY = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
export const MODE = QUICK ? 'quick' : 'full';
export const LAYER_MB = QUICK ? [10, 6, 4] : [100, 60, 40];
export const LOAD_SECONDS = QUICK ? 3 : 10;
export const RUNS = QUICK ? 1 : 3;
export const WARMUP_SECONDS = QUICK ? 1 : 3;
export const CONCURRENCY = [1, 32];
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar';
