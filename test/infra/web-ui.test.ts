import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { App } from 'aws-cdk-lib';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import type { IConstruct } from 'constructs';
import type { StratusStack } from '../../lib/stratus-stack';
import { SYNTH_TIMEOUT_MS, synthStack } from './synth';

/** The folder CDK bundled a function's code into (its Code asset, staged in the cloud assembly). */
function assetDir(app: App, fn: IConstruct): string {
  const code = fn.node.tryFindChild('Code');
  if (!(code instanceof Asset)) throw new Error(`${fn.node.path} has no Code asset`);
  return join(app.outdir, code.assetPath);
}

function event(method: string, rawPath: string): APIGatewayProxyEventV2 {
  return {
    version: '2.0', routeKey: '$default', rawPath, rawQueryString: '', headers: { host: 'registry.example.com' }, isBase64Encoded: false,
    requestContext: {
      accountId: '1', apiId: 'api', domainName: 'registry.example.com', domainPrefix: 'registry', requestId: 'infra-web-ui',
      routeKey: '$default', stage: '$default', time: '', timeEpoch: 0,
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'jest' },
    },
  };
}

// The bundle's pinned SDK warns about Node 20 on load; not this test's concern.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

describe('the API function bundles and serves the web UI (Lambda topology)', () => {
  let app: App;
  let stack: StratusStack;
  beforeAll(() => {
    ({ app, stack } = synthStack({}, { bundle: true }));
  }, SYNTH_TIMEOUT_MS);

  it('the API function\'s asset holds ui/index.html and the hashed script and stylesheet it names', () => {
    const dir = assetDir(app, stack.api.fn);

    const html = readFileSync(join(dir, 'ui', 'index.html'), 'utf8');
    const named = [...html.matchAll(/"\/ui\/(assets\/[^"]+)"/g)].map((m) => m[1]!);

    expect(named).toEqual(expect.arrayContaining([expect.stringMatching(/^assets\/main-[A-Z0-9]{8}\.js$/), expect.stringMatching(/^assets\/main-[A-Z0-9]{8}\.css$/)]));
    for (const file of named) expect(existsSync(join(dir, 'ui', file))).toBe(true);
  });

  it('the other functions carry no UI', () => {
    const dir = assetDir(app, stack.gc.fn);

    expect(existsSync(join(dir, 'ui'))).toBe(false);
  });

  it('the bundled handler answers GET / with the page and its CSP, and a hashed asset with a long cache', async () => {
    const dir = assetDir(app, stack.api.fn);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { handler } = require(join(dir, 'index.js')) as { handler: (e: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2> };

    const page = await handler(event('GET', '/'));
    const html = Buffer.from(page.body ?? '', page.isBase64Encoded ? 'base64' : 'utf8').toString('utf8');
    const script = /"\/ui\/(assets\/main-[A-Z0-9]{8}\.js)"/.exec(html)![1]!;
    const asset = await handler(event('GET', `/ui/${script}`));

    expect(page.statusCode).toBe(200);
    expect(page.headers?.['content-security-policy']).toContain("default-src 'self'");
    expect(html).toContain('<div id="app">');
    expect(asset.statusCode).toBe(200);
    expect(asset.headers?.['cache-control']).toBe('public, max-age=31536000, immutable');
  });
});
