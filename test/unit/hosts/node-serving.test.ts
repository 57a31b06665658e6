/** The Node host's choices for serving other machines: blob delivery, STRATUS_* settings, TLS files. */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chooseBlobDelivery, isLoopback } from '../../../lambda/hosts/node/blob-delivery';
import { loadTls } from '../../../lambda/hosts/node/tls';
import { settingsFromEnv } from '../../../lambda/hosts/settings';

const EMBEDDED = { S3_ENDPOINT: 'http://127.0.0.2:40000' };

describe('chooseBlobDelivery', () => {
  it.each([
    ['127.0.0.1 on the embedded S3', '127.0.0.1', EMBEDDED, 'redirect'],
    ['0.0.0.0 on the embedded S3', '0.0.0.0', EMBEDDED, 'proxy'],
    ['a LAN address on the embedded S3', '192.168.1.20', EMBEDDED, 'proxy'],
    ['::, S3 on localhost', '::', { S3_ENDPOINT: 'http://localhost:9000' }, 'proxy'],
    ['0.0.0.0, S3 on a name clients reach', '0.0.0.0', { S3_ENDPOINT: 'http://minio:9000' }, 'redirect'],
    ['0.0.0.0, S3 on loopback but S3_PUBLIC_ENDPOINT reachable', '0.0.0.0', { ...EMBEDDED, S3_PUBLIC_ENDPOINT: 'http://files.lan:9000' }, 'redirect'],
    ['0.0.0.0 in a container, S3_PUBLIC_ENDPOINT a published port on loopback (local/compose.yml)', '0.0.0.0', { S3_ENDPOINT: 'http://minio:9000', S3_PUBLIC_ENDPOINT: 'http://127.0.0.1:9000' }, 'redirect'],
    ['0.0.0.0 on AWS S3', '0.0.0.0', {}, 'redirect'],
    ['127.0.0.1 with STRATUS_PUBLIC_URL on another name', '127.0.0.1', { ...EMBEDDED, STRATUS_PUBLIC_URL: 'https://registry.lan:5000' }, 'proxy'],
    ['0.0.0.0 with STRATUS_PUBLIC_URL on loopback', '0.0.0.0', { ...EMBEDDED, STRATUS_PUBLIC_URL: 'http://127.0.0.1:5000' }, 'redirect'],
    ['0.0.0.0 with STRATUS_BLOB_DELIVERY=redirect', '0.0.0.0', { ...EMBEDDED, STRATUS_BLOB_DELIVERY: 'redirect' }, 'redirect'],
    ['127.0.0.1 with STRATUS_BLOB_DELIVERY=proxy', '127.0.0.1', { ...EMBEDDED, STRATUS_BLOB_DELIVERY: 'proxy' }, 'proxy'],
  ])('HOST %s -> %s', (_why, host, env, expected) => {
    expect(chooseBlobDelivery(settingsFromEnv(env), host).delivery).toBe(expected);
  });

  it.each(['localhost', '127.0.0.2', '[::1]', '::1', 'a.localhost'])('%s is loopback', (h) => expect(isLoopback(h)).toBe(true));
  it.each(['0.0.0.0', '10.0.0.1', 'registry.lan', '128.0.0.1'])('%s is not loopback', (h) => expect(isLoopback(h)).toBe(false));
});

describe('settingsFromEnv for serving other machines', () => {
  it('STRATUS_BLOB_DELIVERY other than redirect or proxy -> a start-up error naming the values', () => {
    expect(() => settingsFromEnv({ STRATUS_BLOB_DELIVERY: 'stream' })).toThrow('STRATUS_BLOB_DELIVERY=stream: expected redirect or proxy');
  });

  it('STRATUS_PUBLIC_URL that is not http(s)://host[:port] -> a start-up error', () => {
    expect(() => settingsFromEnv({ STRATUS_PUBLIC_URL: 'registry.lan:5000' })).toThrow(/STRATUS_PUBLIC_URL=registry.lan:5000: expected http\(s\):\/\//);
  });

  it('STRATUS_PUBLIC_URL with characters outside a host name (a quote, a path) -> a start-up error', () => {
    expect(() => settingsFromEnv({ STRATUS_PUBLIC_URL: 'https://a.lan",error="x' })).toThrow('STRATUS_PUBLIC_URL=');
    expect(() => settingsFromEnv({ STRATUS_PUBLIC_URL: 'https://a.lan/v2' })).toThrow('STRATUS_PUBLIC_URL=');
    expect(settingsFromEnv({ STRATUS_PUBLIC_URL: 'https://[fd00::1]:5000' }).publicUrl).toBe('https://[fd00::1]:5000');
  });

  it('STRATUS_PUBLIC_URL sets the auth realm unless STRATUS_AUTH_REALM does', () => {
    expect(settingsFromEnv({ STRATUS_AUTH: 'on', STRATUS_PUBLIC_URL: 'https://registry.lan:5000/' }).auth?.realm).toBe('https://registry.lan:5000/token');
    expect(settingsFromEnv({ STRATUS_AUTH: 'on', STRATUS_PUBLIC_URL: 'https://a:1', STRATUS_AUTH_REALM: 'https://b/token' }).auth?.realm).toBe('https://b/token');
  });

  it('STRATUS_TLS_CERT without STRATUS_TLS_KEY -> a start-up error', () => {
    expect(() => settingsFromEnv({ STRATUS_TLS_CERT: '/x.pem' })).toThrow('STRATUS_TLS_CERT and STRATUS_TLS_KEY go together');
  });
});

describe('loadTls', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stratus-tls-unit-'));

  it('a missing file -> names the variable, the path and "no such file"', () => {
    expect(() => loadTls({ cert: join(dir, 'none.pem'), key: join(dir, 'none.key') })).toThrow(`STRATUS_TLS_CERT=${join(dir, 'none.pem')}: cannot read the certificate (no such file)`);
  });

  it('a file that is not PEM -> says so', () => {
    writeFileSync(join(dir, 'cert.der'), Buffer.from([0x30, 0x82, 0x01]));
    expect(() => loadTls({ cert: join(dir, 'cert.der'), key: join(dir, 'cert.der') })).toThrow('not a PEM file');
  });

  it('an unreadable key -> permission denied (when not running as root, which reads anything)', () => {
    writeFileSync(join(dir, 'c.pem'), '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n');
    writeFileSync(join(dir, 'k.pem'), '-----BEGIN PRIVATE KEY-----\n');
    chmodSync(join(dir, 'k.pem'), 0o000);
    const expected = process.getuid?.() === 0 ? 'do not make a usable pair' : 'cannot read the private key (permission denied)';
    expect(() => loadTls({ cert: join(dir, 'c.pem'), key: join(dir, 'k.pem') })).toThrow(expected);
  });
});
