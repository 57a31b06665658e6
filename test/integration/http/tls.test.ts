/** The Node host over HTTPS (STRATUS_TLS_CERT / STRATUS_TLS_KEY): what a client that trusts the CA sees. */
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { makeTestCa, TestCa } from '../../e2e/test-ca';
import { OwnS3Registry, startOwnS3Registry } from './own-s3-registry';

/** One HTTPS request trusting only `ca`; the status, headers and body. */
function get(url: string, ca: Buffer): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { ca }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    }).on('error', reject).end();
  });
}

describe('Node host with STRATUS_TLS_CERT / STRATUS_TLS_KEY', () => {
  let ca: TestCa;
  let registry: OwnS3Registry;
  beforeAll(async () => {
    ca = makeTestCa(['127.0.0.1']);
    registry = await startOwnS3Registry({ auth: true, tls: { cert: ca.serverCert, key: ca.serverKey } });
  });
  afterAll(async () => {
    await registry?.stop();
    ca?.remove();
  });

  it('GET /v2/ over HTTPS, certificate checked against the CA -> 401 whose realm says https', async () => {
    const res = await get(`${registry.url}/v2/`, readFileSync(ca.caCert));

    expect(registry.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toContain(`realm="${registry.url}/token"`);
  });

  it('a client that does not trust the CA -> the handshake fails', async () => {
    const other = makeTestCa(['127.0.0.1']);
    try {
      await expect(get(`${registry.url}/v2/`, readFileSync(other.caCert))).rejects.toThrow(/certificate/i);
    } finally {
      other.remove();
    }
  });

  it('plain HTTP on the TLS port -> no registry answer', async () => {
    const res = await fetch(`${registry.url.replace('https:', 'http:')}/v2/`).then((r) => r.status, () => 'refused');

    expect(res).not.toBe(401);
    expect(res).not.toBe(200);
  });

  it('a certificate file that does not exist -> the host does not start, and says which file', async () => {
    await expect(startOwnS3Registry({ tls: { cert: '/nonexistent/server.crt', key: ca.serverKey } }))
      .rejects.toThrow('STRATUS_TLS_CERT=/nonexistent/server.crt: cannot read the certificate (no such file)');
  });
});
