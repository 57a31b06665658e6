/**
 * `npm run build:ui`: the web UI's sources (Preact, TSX) bundled by esbuild into ui/dist/: index.html, one
 * hashed JS, one hashed CSS and the hashed icon under assets/. No inline script or style (the pages' CSP
 * forbids them), nothing fetched at run time. Old hashed files are kept: a running host may still serve an
 * index.html that names them.
 */
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

/** Where the build writes; hosts serve this folder (or a copy beside their bundle). */
export const UI_DIST = resolve(__dirname, 'dist');

/** The files of one build, relative to UI_DIST. */
export interface UiBuild {
  script: string;
  style: string;
  icon: string;
  bytes: number;
}

/** Builds the UI into `outDir` and answers what it wrote. */
export async function buildUi(outDir = UI_DIST): Promise<UiBuild> {
  const assets = join(outDir, 'assets');
  mkdirSync(assets, { recursive: true });
  const result = await build({
    entryPoints: [resolve(__dirname, 'src/main.tsx')],
    bundle: true,
    format: 'esm',
    target: ['chrome110', 'firefox110', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    // The logo in the stylesheet is inlined (the CSP allows data: images).
    loader: { '.svg': 'dataurl' },
    minify: true,
    sourcemap: false,
    entryNames: '[name]-[hash]',
    outdir: assets,
    metafile: true,
    logLevel: 'warning',
  });
  const outputs = Object.entries(result.metafile.outputs);
  const script = outputs.find(([file]) => file.endsWith('.js'));
  const style = outputs.find(([file]) => file.endsWith('.css'));
  if (!script || !style) throw new Error('UI build produced no JS or no CSS');
  const icon = hashedCopy(resolve(__dirname, 'src/favicon.svg'), assets);
  // The unhashed name too, for an index.html of an older build that a running host may still serve.
  copyFileSync(resolve(__dirname, 'src/favicon.svg'), join(assets, 'favicon.svg'));
  const names = { script: `assets/${basename(script[0])}`, style: `assets/${basename(style[0])}`, icon: `assets/${icon}` };
  // Written last and renamed into place: a host reading it mid-build sees the old page or the new one.
  const html = join(outDir, 'index.html');
  writeFileSync(`${html}.tmp`, indexHtml(names.script, names.style, names.icon));
  renameSync(`${html}.tmp`, html);
  return { ...names, bytes: script[1].bytes + style[1].bytes };
}

/**
 * Copies `file` into `dir` as `<name>-<HASH>.<ext>` (8 characters of its SHA-256, named like esbuild's
 * hashed outputs, so it can be cached for good) and answers the new name.
 */
function hashedCopy(file: string, dir: string): string {
  const bytes = readFileSync(file);
  const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 8).toUpperCase();
  const name = basename(file).replace(/(\.[^.]+)$/, `-${hash}$1`);
  writeFileSync(join(dir, name), bytes);
  return name;
}

function indexHtml(script: string, style: string, icon: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Stratus registry</title>
<link rel="icon" href="/ui/${icon}" type="image/svg+xml">
<link rel="stylesheet" href="/ui/${style}">
<script type="module" src="/ui/${script}"></script>
</head>
<body>
<div id="app"><noscript>The Stratus web UI needs JavaScript.</noscript></div>
</body>
</html>
`;
}

if (require.main === module) {
  buildUi()
    .then(({ script, style, bytes }) => console.log(`ui/dist: ${script}, ${style} (${(bytes / 1024).toFixed(0)} KiB)`))
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
