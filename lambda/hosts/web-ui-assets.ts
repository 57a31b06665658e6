import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DirectoryAssets } from '../adapters/file/directory-assets';
import type { StaticAssets } from '../ports/static-assets';

/** Where the UI's files sit beside a bundle (the Lambda's /var/task/ui, the container's /app/ui). */
export const BUNDLED_UI_DIR = 'ui';
/** Where `npm run build:ui` writes them in a checkout. */
export const CHECKOUT_UI_DIR = resolve(__dirname, '../../ui/dist');

/**
 * The web UI's files for this host: STRATUS_UI_DIR when set, else those bundled beside the running code
 * (fixed for the process's life: kept in memory), else a checkout's build (re-read, so a rebuild shows).
 */
export function webUiAssets(env: NodeJS.ProcessEnv = process.env): StaticAssets {
  if (env.STRATUS_UI_DIR) return new DirectoryAssets(env.STRATUS_UI_DIR, { keepInMemory: false });
  const bundled = join(__dirname, BUNDLED_UI_DIR);
  if (existsSync(join(bundled, 'index.html'))) return new DirectoryAssets(bundled, { keepInMemory: true });
  return new DirectoryAssets(CHECKOUT_UI_DIR, { keepInMemory: false });
}
