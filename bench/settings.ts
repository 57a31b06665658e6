/** The bench's mode and constants: --quick (under 2 minutes) or full, and --only=<contenders> (run in that order). */
import { resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..');
export const QUICK = process.argv.includes('--quick');
export const ONLY = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
export const MODE = QUICK ? 'quick' : 'full';
/** The synthetic image's three layers (MiB). */
export const LAYER_MB = QUICK ? [10, 6, 4] : [100, 60, 40];
/** The single-layer push (MiB): 1 GiB, quick 100 MiB. */
export const BIG_LAYER_MB = QUICK ? 100 : 1024;
/** Tags in the tags-list repository. */
export const TAGS = QUICK ? 200 : 1000;
/** Complete listings timed per figure (tags list, catalog). */
export const LISTINGS = QUICK ? 5 : 20;
export const LOAD_SECONDS = QUICK ? 2 : 10;
/** Runs per timed figure (push, pull, skopeo, docker, load); the table shows median and min–max. */
export const RUNS = QUICK ? 1 : 3;
export const WARMUP_SECONDS = QUICK ? 1 : 3;
export const CONCURRENCY = [1, 32];
/** Real clients: skopeo always; the Docker engine in full mode (quick: --docker). */
export const DOCKER = !QUICK || process.argv.includes('--docker');
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar';
