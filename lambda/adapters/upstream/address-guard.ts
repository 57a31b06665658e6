import { lookup, LookupAddress, LookupOptions } from 'node:dns';
import { isIP } from 'node:net';

/**
 * Link-local addresses (169.254.0.0/16, fe80::/10) are where clouds serve instance and task credentials
 * (EC2's 169.254.169.254, ECS's 169.254.170.2). No registry lives there, so no upstream request, redirect
 * hop or token realm may go there: an upstream cannot make the mirror fetch its host's credentials.
 */
export function isLinkLocal(address: string): boolean {
  const a = address.toLowerCase().replace(/^\[|\]$/g, '');
  const v4 = /^(?:::ffff:)?(\d+\.\d+\.\d+\.\d+)$/.exec(a)?.[1];
  if (v4) return v4.startsWith('169.254.');
  return isIP(a) === 6 && /^fe[89ab][0-9a-f]:/.test(a);
}

/** Why a URL's host may not be asked, or undefined: an IP literal that is link-local. */
export function refusedHost(hostname: string): string | undefined {
  return isLinkLocal(hostname) ? `link-local address ${hostname} refused` : undefined;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** dns.lookup for node:http's `lookup` option that fails when a name resolves to a link-local address. */
export function guardedLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, options.all ? [] : '');
    const bad = addresses.find((a) => isLinkLocal(a.address));
    if (bad) {
      const refused: NodeJS.ErrnoException = new Error(`${hostname} resolves to link-local ${bad.address}: refused`);
      refused.code = 'ELINKLOCAL';
      return callback(refused, options.all ? [] : '');
    }
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0]!.address, addresses[0]!.family);
  });
}
