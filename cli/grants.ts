import { isGrantPattern } from '../lambda/auth/grant-edits';
import type { Grant, RepositoryAction } from '../lambda/ports/auth-store';
import { CliError } from './errors';

export { addGrant, removeGrant } from '../lambda/auth/grant-edits';

const ACTIONS: RepositoryAction[] = ['pull', 'push', 'delete'];

/** Checks a repository pattern: `team/app` (one repository), `team/*` (everything under team/), `*` (all). */
export function parsePattern(pattern: string): string {
  if (!isGrantPattern(pattern)) {
    throw new CliError(`invalid repository pattern "${pattern}": use a repository name (team/app), a prefix ending in /* (team/*), or * for every repository; quote it in the shell ('team/*')`);
  }
  return pattern;
}

/** Parses `pull,push` into actions, in a fixed order. */
export function parseActions(text: string): RepositoryAction[] {
  const given = text.split(',').map((a) => a.trim()).filter(Boolean);
  const unknown = given.filter((a) => !ACTIONS.includes(a as RepositoryAction));
  if (given.length === 0 || unknown.length > 0) {
    throw new CliError(`invalid actions "${text}": use a comma-separated list of ${ACTIONS.join(', ')} (e.g. pull,push)`);
  }
  return ACTIONS.filter((a) => given.includes(a));
}

/** Parses `<pattern>:<actions>` (robot --grant). */
export function parseGrant(text: string): Grant {
  const at = text.lastIndexOf(':');
  if (at <= 0) throw new CliError(`invalid grant "${text}": use <pattern>:<actions>, e.g. --grant 'ci/*:pull,push'`);
  return { pattern: parsePattern(text.slice(0, at)), actions: parseActions(text.slice(at + 1)) };
}

/** `team/*:pull,push  public/*:pull` */
export function formatGrants(grants: Grant[]): string {
  return grants.length === 0 ? '-' : grants.map((g) => `${g.pattern}:${g.actions.join(',')}`).join('  ');
}

/** Parses an expiry like 30d, 12h, 90m, 3600s (or an ISO date) into epoch seconds from `now`. */
export function parseExpiry(text: string, now: number): number {
  const match = /^(\d+)([smhd])$/.exec(text);
  if (match) {
    const unit = { s: 1, m: 60, h: 3600, d: 86_400 }[match[2] as 's' | 'm' | 'h' | 'd'];
    return Math.floor(now / 1000) + Number(match[1]) * unit;
  }
  const date = Date.parse(text);
  if (/^\d{4}-\d{2}-\d{2}/.test(text) && !Number.isNaN(date) && date > now) return Math.floor(date / 1000);
  throw new CliError(`invalid --expires "${text}": use a duration (30d, 12h, 90m) or a future date (2030-01-31)`);
}
