import { build, BuildOptions, Plugin } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildUi } from '../../ui/build';

const ROOT = resolve(__dirname, '../..');

/**
 * Where `npm start`'s prebuilt registry goes. Two levels below the checkout on purpose: modules that find
 * files relative to their own directory (the web UI's ui/dist, the DynamoDB Local cache) resolve
 * `../..` from lambda/hosts and local/backends, and from here that is the checkout too.
 */
export const START_BUNDLE_DIR = resolve(ROOT, '.stratus/start');

const common: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // As the Lambda bundle: ES module builds where packages ship them (hash-wasm tree-shakes to what is used).
  mainFields: ['module', 'main'],
  // Whitespace and syntax only: stack traces in logs keep readable names.
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: true,
  logLevel: 'warning',
};

/**
 * In the registry's bundle the local S3 server's child is spawned from `__filename`, which would be the
 * bundle itself: point it at the child's own bundle beside it.
 */
const s3ChildBeside: Plugin = {
  name: 's3-child-beside',
  setup(b) {
    b.onLoad({ filter: /local[\\/]backends[\\/]s3-server-process\.ts$/ }, (args) => ({
      loader: 'ts',
      contents: `import { join as joinPath } from 'node:path';\nconst __filename = joinPath(__dirname, 's3-server-process.js');\n${readFileSync(args.path, 'utf8')}`,
    }));
  },
};

/**
 * Builds `npm start` ahead of time (esbuild, as the Lambda bundle is built) so that the registry process
 * runs plain JavaScript instead of compiling TypeScript with tsx as it loads: measured here (bench:memory),
 * idle RSS 71 -> 59 MB once settled, 86 -> 74 MB at ready. Entries: start.js (local/start.ts), the local S3 server's
 * child (its own process), and the password-hashing worker (found beside the code, as in the container image).
 * The web UI is built into ui/dist, where the registry reads it from the checkout.
 */
export async function buildStartBundle(outDir = START_BUNDLE_DIR): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  const file = resolve(outDir, 'start.js');
  await Promise.all([
    build({
      ...common,
      entryPoints: [resolve(ROOT, 'local/start.ts')],
      outfile: file,
      // Entry-point checks of the modules start.ts imports (main.ts would start a second server) stay off:
      // in one bundle every `require.main === module` would be true.
      define: { 'require.main': 'undefined' },
      plugins: [s3ChildBeside],
    }),
    build({ ...common, entryPoints: [resolve(ROOT, 'local/backends/s3-server-process.ts')], outfile: resolve(outDir, 's3-server-process.js'), packages: 'external' }),
    build({ ...common, entryPoints: [resolve(ROOT, 'lambda/auth/hash-worker.ts')], outfile: resolve(outDir, 'hash-worker.js') }),
    buildUi(),
  ]);
  // DynamoDB Local's 127.0.0.1-only launcher is compiled from source found beside the module.
  copyFileSync(resolve(ROOT, 'local/backends/BindLocal.java'), resolve(outDir, 'BindLocal.java'));
  return file;
}

if (require.main === module) {
  buildStartBundle().then((file) => console.log(`npm start: ${file}`), (err) => {
    console.error(err);
    process.exit(1);
  });
}
