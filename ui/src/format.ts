/** How the UI writes sizes, times and digests. */

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** 1234567 -> "1.2 MB" (powers of 1000, as docker prints image sizes). */
export function humanBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '—';
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`;
}

const SPANS: Array<[number, Intl.RelativeTimeFormatUnit]> = [
  [60, 'second'], [60, 'minute'], [24, 'hour'], [30, 'day'], [12, 'month'], [Infinity, 'year'],
];
const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/** A time as "3 hours ago"; "never" when absent. */
export function relativeTime(when: number | string | null | undefined, now = Date.now()): string {
  const ms = toMs(when);
  if (ms === null) return 'never';
  let value = (ms - now) / 1000;
  for (const [size, unit] of SPANS) {
    if (Math.abs(value) < size) return relative.format(Math.round(value), unit);
    value /= size;
  }
  return relative.format(Math.round(value), 'year');
}

/** The full date and time, for a tooltip. */
export function absoluteTime(when: number | string | null | undefined): string {
  const ms = toMs(when);
  return ms === null ? '' : new Date(ms).toLocaleString();
}

function toMs(when: number | string | null | undefined): number | null {
  if (when === null || when === undefined || when === '') return null;
  const ms = typeof when === 'number' ? when : Date.parse(when);
  return Number.isFinite(ms) ? ms : null;
}

/** sha256:0123456789abcdef... -> "sha256:0123456789ab". */
export function shortDigest(digest: string): string {
  const [algo, hex] = digest.split(':');
  return hex ? `${algo}:${hex.slice(0, 12)}` : digest;
}

/** A media type without its vendor prefix, for narrow columns ("image.manifest.v1+json"). */
export function shortMediaType(mediaType: string | undefined | null): string {
  if (!mediaType) return '—';
  return mediaType.replace(/^application\/vnd\.(oci|docker)\.(distribution\.)?/, '');
}

/** A platform as "linux/arm64/v8". */
export function platformName(p: { os: string; architecture: string; variant?: string }): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/** How many tags a page shows: "100 tags shown, more below", "1 tag shown matching “1.9”". */
export function shownCount(count: number, more: boolean, term: string): string {
  return `${count} tag${count === 1 ? '' : 's'} shown${term ? ` matching “${term}”` : ''}${more ? ', more below' : ''}`;
}
