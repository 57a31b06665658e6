/** An upstream's authentication challenge, from the WWW-Authenticate header of a 401. */
export type Challenge =
  | { scheme: 'bearer'; realm: string; service?: string; scope?: string }
  | { scheme: 'basic' };

/**
 * The first challenge we can answer (Bearer with a realm, or Basic), or null. Parameters are
 * `key="quoted value"` or `key=token`, comma-separated (RFC 9110 section 11.6.1); Docker Hub sends
 * `Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"`.
 */
export function parseChallenge(header: string | string[] | undefined): Challenge | null {
  for (const value of Array.isArray(header) ? header : header ? [header] : []) {
    const match = /^\s*(\w+)(?:\s+(.*))?$/s.exec(value);
    if (!match) continue;
    const scheme = match[1]!.toLowerCase();
    if (scheme === 'basic') return { scheme: 'basic' };
    if (scheme !== 'bearer') continue;
    const params = parseParams(match[2] ?? '');
    if (!params.realm) continue;
    return { scheme: 'bearer', realm: params.realm, service: params.service, scope: params.scope };
  }
  return null;
}

function parseParams(text: string): Record<string, string | undefined> {
  const params: Record<string, string> = {};
  const param = /\s*([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*,?/gy;
  for (let m = param.exec(text); m; m = param.exec(text)) {
    params[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!;
  }
  return params;
}
