/**
 * A throwaway certificate authority made with openssl, and a server certificate it signs for the given IP
 * addresses and names (subjectAltName: clients check those, not the CN). Everything lives in one temp dir.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** PEM files of a test CA and of one server certificate it signed. */
export interface TestCa {
  dir: string;
  /** The CA certificate: what clients are told to trust. */
  caCert: string;
  /** The server's certificate and private key (STRATUS_TLS_CERT, STRATUS_TLS_KEY). */
  serverCert: string;
  serverKey: string;
  remove(): void;
}

/** Makes a CA and a server certificate for `ips` and `names`, valid for a day. */
export function makeTestCa(ips: string[], names: string[] = []): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'stratus-ca-'));
  const f = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
    '-subj', '/CN=Stratus test CA', '-keyout', f('ca.key'), '-out', f('ca.crt'),
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=stratus-test-registry',
    '-keyout', f('server.key'), '-out', f('server.csr'));
  const san = [...ips.map((ip) => `IP:${ip}`), ...names.map((n) => `DNS:${n}`)].join(',');
  writeFileSync(f('server.ext'), `subjectAltName=${san}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n`);
  openssl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial',
    '-days', '1', '-extfile', f('server.ext'), '-out', f('server.crt'));
  return {
    dir, caCert: f('ca.crt'), serverCert: f('server.crt'), serverKey: f('server.key'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
