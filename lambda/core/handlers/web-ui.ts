import { OciError } from '../../oci/errors';
import type { StaticAsset } from '../../ports/static-assets';
import type { RegistryResponse } from '../../shared/http-types';
import type { RouteCall } from '../services';

/**
 * What a browser may do with the UI's pages: scripts, styles and fetches from this origin only (no inline
 * code, so an injected string can run nothing), no framing (clickjacking), no Referer leaving the registry.
 */
export const UI_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** Files named by the build with their content hash (`main-5YQHZ2PJ.js`): their bytes never change. */
const HASHED_NAME = /-[A-Z0-9]{8}\.(?:js|css|svg)$/;
/** A file of the build's assets folder: one segment of plain characters, nothing to decode. */
const ASSET_PATH = /^\/ui\/assets\/([A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+)$/;

/**
 * The relative file a UI path names: `assets/<file>` for the build's assets, `index.html` for `/` and
 * every other `/ui/` path (the UI routes deep links itself). Paths that climb (`..`, also percent-encoded
 * or with backslashes) or do not decode are refused: NOT_FOUND.
 */
export function assetFileOf(rawPath: string): string {
  const asset = ASSET_PATH.exec(rawPath);
  if (asset) return `assets/${asset[1]}`;
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    throw new OciError('NOT_FOUND', 'malformed path');
  }
  const segments = decoded.split(/[/\\]/);
  if (decoded.includes('\0') || segments.some((s) => s === '..' || s === '.')) throw new OciError('NOT_FOUND', 'no such page');
  if (decoded.startsWith('/ui/assets/')) throw new OciError('NOT_FOUND', 'no such asset');
  return 'index.html';
}

/** GET / and GET /ui/*: the web UI's static files, with the headers that keep its pages safe. */
export async function serveWebUi({ deps, req }: RouteCall): Promise<RegistryResponse> {
  if (!deps.assets) throw new OciError('NOT_FOUND', 'this host does not serve the web UI');
  const file = assetFileOf(req.path);
  const asset = await deps.assets.get(file);
  if (!asset) {
    throw new OciError('NOT_FOUND', file === 'index.html' ? 'the web UI is not built: run npm run build:ui' : `no such asset: ${file}`);
  }
  return assetResponse(file, asset);
}

function assetResponse(file: string, asset: StaticAsset): RegistryResponse {
  return {
    status: 200,
    headers: {
      'content-type': asset.contentType,
      'content-length': String(asset.body.length),
      // index.html names the current hashed files: revalidated every time; hashed files are kept for good.
      'cache-control': HASHED_NAME.test(file) ? 'public, max-age=31536000, immutable' : 'no-cache',
      ...UI_SECURITY_HEADERS,
    },
    body: asset.body,
  };
}
