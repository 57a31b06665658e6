/** The version GET /ui/api/session reports is the package's. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { STRATUS_VERSION } from '../../../../lambda/core/ui-api/version';

it('STRATUS_VERSION equals package.json\'s version', () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, '../../../../package.json'), 'utf8')) as { version: string };

  expect(STRATUS_VERSION).toBe(pkg.version);
});
