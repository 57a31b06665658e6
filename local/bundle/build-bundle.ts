import { build } from 'esbuild';
import { cpSync, rmSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildUi, UI_DIST } from '../../ui/build';

/** Where `npm run start:lambda` puts the Lambda bundle. */
export const BUNDLE_DIR = resolve(__dirname, '../../.stratus/lambda');

/**
 * Bundles the Lambda entry point as CDK's NodejsFunction does (esbuild, Node 22, CommonJS, minified,
 * AWS SDK included and tree-shaken), so the local topology runs the same artefact the cloud runs. The
 * web UI is built and copied beside it (ui/), as the CDK bundling does for the API function.
 */
export async function buildLambdaBundle(outDir = BUNDLE_DIR): Promise<{ file: string; bytes: number }> {
  const file = resolve(outDir, 'index.js');
  await build({
    entryPoints: [resolve(__dirname, '../../lambda/hosts/lambda/handler.ts')],
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    // ES module builds where packages ship them: hash-wasm's CommonJS entry holds every algorithm
    // (974 KB bundle, 87 ms load) where its module build tree-shakes to what is used (532 KB, 49 ms).
    mainFields: ['module', 'main'],
    minify: true,
    sourcemap: true,
    outfile: file,
    logLevel: 'warning',
  });
  await buildUi();
  rmSync(resolve(outDir, 'ui'), { recursive: true, force: true });
  cpSync(UI_DIST, resolve(outDir, 'ui'), { recursive: true });
  return { file, bytes: statSync(file).size };
}

if (require.main === module) {
  buildLambdaBundle().then(({ file, bytes }) => console.log(`${file}: ${(bytes / 1024).toFixed(0)} KiB`));
}
