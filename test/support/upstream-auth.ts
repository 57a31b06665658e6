/**
 * Authentication in front of the test upstream, in the two shapes a mirror meets: Basic (a private
 * registry) and Docker Hub's token flow (401 with `WWW-Authenticate: Bearer realm=...`, a token endpoint
 * that hands out tokens, anonymously or for Basic credentials, then `Authorization: Bearer <token>`).
 */
import { randomBytes } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';

/** How the upstream wants to be authenticated. Without username, bearer tokens are handed to anyone. */
export interface UpstreamAuth {
  scheme: 'basic' | 'bearer';
  username?: string;
  password?: string;
}

/** The path of the token endpoint (bearer scheme), served by the proxy itself. */
export const TOKEN_PATH = '/token';

/** Answers the request itself (401, or a token) and returns true, or returns false to let it through. */
export class AuthGate {
  private readonly tokens = new Set<string>();

  constructor(private readonly auth: UpstreamAuth, private readonly baseUrl: () => string) {}

  /** Status it answered with, or undefined when the request may go on to the registry. */
  handle(req: IncomingMessage, res: ServerResponse, path: string): number | undefined {
    const header = req.headers.authorization ?? '';
    if (this.auth.scheme === 'basic') {
      if (this.basicOk(header)) return undefined;
      return this.deny(req, res, 'Basic realm="stratus-test-upstream"');
    }
    if (path === TOKEN_PATH) return this.issueToken(req, res, header);
    if (header.startsWith('Bearer ') && this.tokens.has(header.slice(7))) return undefined;
    const repo = /^\/v2\/(.+?)\/(manifests|blobs|tags)\//.exec(path)?.[1];
    const scope = repo ? `,scope="repository:${repo}:pull"` : '';
    return this.deny(req, res, `Bearer realm="${this.baseUrl()}${TOKEN_PATH}",service="stratus-test-upstream"${scope}`);
  }

  private issueToken(req: IncomingMessage, res: ServerResponse, header: string): number {
    if (this.auth.username !== undefined && !this.basicOk(header)) return this.deny(req, res, 'Basic realm="stratus-test-upstream"');
    const token = randomBytes(16).toString('hex');
    this.tokens.add(token);
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, access_token: token, expires_in: 300 }));
    return 200;
  }

  private basicOk(header: string): boolean {
    if (!header.startsWith('Basic ')) return false;
    const [user, ...rest] = Buffer.from(header.slice(6), 'base64').toString().split(':');
    return user === this.auth.username && rest.join(':') === this.auth.password;
  }

  private deny(req: IncomingMessage, res: ServerResponse, challenge: string): number {
    req.resume();
    const body = JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] });
    res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': challenge }).end(req.method === 'HEAD' ? undefined : body);
    return 401;
  }
}
