/** The rules browsers on another origin meet: the blob bucket's CORS rules, and when /token asks a browser to log in. */
import type { Principal } from '../../../lambda/auth/grants';
import { parseScopes } from '../../../lambda/auth/scopes';
import { blobCorsRules } from '../../../lambda/core/http/blob-cors-rules';
import { wantsBrowserLogin } from '../../../lambda/core/http/browser-login';
import type { RegistryRequest } from '../../../lambda/shared/http-types';

const UI = 'https://ui.example.com';
const originsOf = (setting: string) => blobCorsRules(setting).map((r) => r.allowedOrigins);

describe('blobCorsRules(STRATUS_CORS_ORIGIN)', () => {
  it.each([
    ['*', [['*']]],
    [UI, [['null', UI]]],
    [`${UI}/, ${UI} ,*`, [['null', UI], ['*']]],
    ['null', [['null']]],
    ['', []],
  ])('%j -> origins %j (the credentialed rule first: S3 applies the first match)', (setting, origins) => {
    expect(originsOf(setting)).toEqual(origins);
  });

  it('every rule allows GET and HEAD only, any request header, and exposes what a UI reads of a blob', () => {
    for (const rule of blobCorsRules(`${UI},*`)) {
      expect(rule).toMatchObject({ allowedMethods: ['GET', 'HEAD'], allowedHeaders: ['*'] });
      expect(rule.exposedHeaders).toEqual(expect.arrayContaining(['ETag', 'Content-Length', 'Docker-Content-Digest', 'Content-Range']));
    }
  });
});

describe('wantsBrowserLogin: a token request without credentials', () => {
  const anonymous: Principal = { subject: '', kind: 'anonymous', admin: false, catalog: false, grants: [{ pattern: 'public/*', actions: ['pull'] }] };
  const request = (origin?: string) => ({ headers: origin ? { origin } : {} }) as unknown as RegistryRequest;
  const asks = (origin: string | undefined, setting: string, ...scopes: string[]) => wantsBrowserLogin(request(origin), setting, anonymous, parseScopes(scopes));

  it('from a credentialed origin, for what anonymous callers lack (a private repository, delete, the catalog, nothing) -> login', () => {
    expect(asks(UI, UI, 'repository:team/app:pull')).toBe(true);
    expect(asks(UI, UI, 'repository:public/tool:pull,delete')).toBe(true);
    expect(asks(UI, UI, 'registry:catalog:*')).toBe(true);
    expect(asks(UI, UI)).toBe(true);
  });

  it('from a credentialed origin, for what anonymous callers hold -> the anonymous token', () => {
    expect(asks(UI, UI, 'repository:public/tool:pull')).toBe(false);
  });

  it('without Origin (container clients), or from an origin without credentials (`*`, unlisted) -> the anonymous token', () => {
    expect(asks(undefined, UI, 'repository:team/app:pull')).toBe(false);
    expect(asks('https://evil.example', `${UI},*`, 'repository:team/app:pull')).toBe(false);
    expect(asks(UI, '*', 'repository:team/app:pull')).toBe(false);
    expect(asks('null', UI, 'repository:team/app:pull')).toBe(false);
  });
});
