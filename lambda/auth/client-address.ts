import { isIPv4, isIPv6 } from 'node:net';

/**
 * The client address that login throttling counts by: an IPv4 address as is (also when written as
 * IPv4-mapped IPv6), an IPv6 address by its /64 prefix (one host is usually given a whole /64, so
 * counting single IPv6 addresses would give a guesser 2^64 fresh ones), "unknown" when the host gave none.
 */
export function clientAddress(remote: string | undefined): string {
  if (!remote) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remote);
  if (mapped && isIPv4(mapped[1]!)) return mapped[1]!;
  if (isIPv4(remote)) return remote;
  if (!isIPv6(remote)) return 'unknown';
  return `${expandIPv6(remote.split('%')[0]!).slice(0, 4).join(':')}::/64`;
}

/** The eight hextets of an IPv6 address, without leading zeros (embedded IPv4 tails count as two). */
function expandIPv6(address: string): string[] {
  const [head = '', tail] = address.split('::');
  const parts = (s: string) => (s ? s.split(':').flatMap(hextets) : []);
  const left = parts(head);
  const right = tail === undefined ? [] : parts(tail);
  const zeros = Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((h) => (parseInt(h, 16) || 0).toString(16));
}

function hextets(part: string): string[] {
  if (!part.includes('.')) return [part];
  const [a, b, c, d] = part.split('.').map(Number) as [number, number, number, number];
  return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
}
