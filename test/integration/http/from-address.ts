import { request } from 'node:http';

/** What a request sent from a chosen client address got back. */
export interface AddressedResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Milliseconds from sending to the end of the answer. */
  ms: number;
}

/**
 * Sends one request to the registry from a given loopback address (127.0.0.2, ...: every 127.x address
 * reaches a server on 127.0.0.1 on Linux), so tests can play several clients on one machine.
 */
export function fromAddress(
  from: string, base: string, path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<AddressedResponse> {
  const url = new URL(path, `${base}/`);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', headers: init.headers, localAddress: from, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({
        status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started,
      }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

/** The three ways a client logs in with a password, as (address, user, password) -> response. */
export const LOGIN_FORMS = {
  'GET /token (Basic)': (from: string, base: string, user: string, password: string) =>
    fromAddress(from, base, '/token?service=stratus', { headers: basicHeader(user, password) }),
  'POST /token (password grant)': (from: string, base: string, user: string, password: string) =>
    fromAddress(from, base, '/token', {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', username: user, password, service: 'stratus', client_id: 'test' }).toString(),
    }),
  'GET /v2/ (Basic)': (from: string, base: string, user: string, password: string) =>
    fromAddress(from, base, '/v2/', { headers: basicHeader(user, password) }),
};

function basicHeader(user: string, password: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}
