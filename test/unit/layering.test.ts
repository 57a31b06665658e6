/** The layers of lambda/ import downwards only; no AWS or transport types reach the core or what sits below it. */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

/** Packages that tie code to AWS or to one transport: only adapters and hosts may use them. */
const TRANSPORT_OR_AWS = [/^@aws-sdk\//, /^@smithy\//, /^aws-sdk$/, /^aws-lambda$/, /^(node:)?https?$/, /^(node:)?http2$/];

/** Each layer, and the folders of lambda/ it must not import (the layers above it). */
const LAYERS: Array<{ layer: string; above: string[] }> = [
  { layer: 'lambda/oci', above: ['lambda/shared', 'lambda/ports', 'lambda/auth', 'lambda/core', 'lambda/adapters', 'lambda/hosts'] },
  { layer: 'lambda/shared', above: ['lambda/auth', 'lambda/core', 'lambda/adapters', 'lambda/hosts'] },
  { layer: 'lambda/ports', above: ['lambda/shared', 'lambda/auth', 'lambda/core', 'lambda/adapters', 'lambda/hosts'] },
  { layer: 'lambda/auth', above: ['lambda/core', 'lambda/adapters', 'lambda/hosts'] },
  { layer: 'lambda/core', above: ['lambda/adapters', 'lambda/hosts'] },
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

/** The module specifiers of a file: static imports and re-exports, side-effect imports, import() and require(). */
function specifiers(source: string): string[] {
  const found: string[] = [];
  const patterns = [/\bfrom\s+['"]([^'"]+)['"]/g, /^\s*import\s+['"]([^'"]+)['"]/gm, /\b(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)/g];
  for (const re of patterns) for (const m of source.matchAll(re)) found.push(m[1]!);
  return found;
}

/** What a file of `layer` imports that it must not: a layer above it, or an AWS / transport package. */
function violations(file: string, source: string, above: string[]): string[] {
  return specifiers(source).filter((spec) => {
    if (spec.startsWith('.')) {
      const target = relative(ROOT, resolve(dirname(file), spec));
      return above.some((dir) => target === dir || target.startsWith(`${dir}/`));
    }
    return TRANSPORT_OR_AWS.some((re) => re.test(spec));
  }).map((spec) => `${relative(ROOT, file)} imports ${spec}`);
}

describe('layering of lambda/', () => {
  it.each(LAYERS)('$layer imports no layer above it and no AWS SDK, aws-lambda or node:http', ({ layer, above }) => {
    const files = sourceFiles(join(ROOT, layer));
    expect(files.length).toBeGreaterThan(0);

    const found = files.flatMap((file) => violations(file, readFileSync(file, 'utf8'), above));

    expect(found).toEqual([]);
  });

  it('cli/ imports nothing from local/: the local-emulator fallback is passed in (bin/stratus-cli.ts wires it)', () => {
    const files = sourceFiles(join(ROOT, 'cli'));
    expect(files.length).toBeGreaterThan(0);

    const found = files.flatMap((file) => specifiers(readFileSync(file, 'utf8'))
      .filter((spec) => spec.startsWith('.') && relative(ROOT, resolve(dirname(file), spec)).split('/')[0] === 'local')
      .map((spec) => `${relative(ROOT, file)} imports ${spec}`));

    expect(found).toEqual([]);
  });

  it('the scan finds each kind of forbidden import (so a passing scan means something)', () => {
    const file = join(ROOT, 'lambda/auth/example.ts');
    const source = [
      "import type { Logger } from '../core/logger';",
      "import {\n  GetSecretValueCommand,\n} from '@aws-sdk/client-secrets-manager';",
      "import type { APIGatewayProxyEventV2 } from 'aws-lambda';",
      "export { createServer } from 'node:http';",
      "const lazy = () => import('../hosts/settings');",
      "import './fine';",
    ].join('\n');

    expect(violations(file, source, ['lambda/core', 'lambda/hosts'])).toEqual([
      'lambda/auth/example.ts imports ../core/logger',
      'lambda/auth/example.ts imports @aws-sdk/client-secrets-manager',
      'lambda/auth/example.ts imports aws-lambda',
      'lambda/auth/example.ts imports node:http',
      'lambda/auth/example.ts imports ../hosts/settings',
    ]);
  });
});
