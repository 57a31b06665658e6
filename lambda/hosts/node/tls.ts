import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { TlsFiles } from '../settings';

/** A certificate (chain) and its private key, read and checked, ready for node:https. */
export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
}

/**
 * Reads STRATUS_TLS_CERT / STRATUS_TLS_KEY and checks they make a usable pair, so that a wrong path, a file
 * the service cannot read or a key of another certificate stops the start with one clear line instead of
 * failing every handshake later.
 */
export function loadTls(files: TlsFiles): TlsMaterial {
  const cert = readPem(files.cert, 'STRATUS_TLS_CERT', 'certificate');
  const key = readPem(files.key, 'STRATUS_TLS_KEY', 'private key');
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    throw new Error(`STRATUS_TLS_CERT=${files.cert} and STRATUS_TLS_KEY=${files.key} do not make a usable pair: ${(err as Error).message}`);
  }
  return { cert, key };
}

function readPem(path: string, variable: string, what: string): Buffer {
  let text: Buffer;
  try {
    text = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new Error(`${variable}=${path}: cannot read the ${what} (${why})`);
  }
  if (!text.includes('-----BEGIN ')) throw new Error(`${variable}=${path}: not a PEM file (expected a ${what} in PEM form, "-----BEGIN ...")`);
  return text;
}
