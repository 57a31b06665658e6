import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';

/**
 * How every Stratus function is bundled: minified with source maps, the AWS SDK v3 bundled (pinned
 * versions, tree-shaken) rather than taken from the runtime, and ES module builds where packages ship
 * them (hash-wasm: 532 KB instead of 974 KB). local/lambda/build-bundle.ts makes the same choices, so the
 * local topology runs the same artefact.
 */
export const LAMBDA_BUNDLING: BundlingOptions = {
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  target: 'node22',
  externalModules: [],
  mainFields: ['module', 'main'],
};
