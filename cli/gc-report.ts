/**
 * What `npx stratus gc` prints: the plan's rows, the one summary line of a run, and the run records of
 * `gc history`. Pure functions of the collector's report, so the CLI and its tests read the same text.
 */
import type { GcRunRecord } from '../lambda/ports/gc-store';
import type { GcReport, PlannedDeletion } from '../lambda/core/gc';
import { CliError } from './errors';

/** The default grace period: the README's (at least an upload session's life plus the presigned URL lifetime). */
export const DEFAULT_GRACE = '24h';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30m`, `1h`, `7d`, `0s` -> milliseconds. */
export function parseGrace(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text);
  if (!match) throw new CliError(`invalid --grace "${text}": use a duration such as 30m, 1h, 7d (0s: no grace)`, 2);
  return Math.round(Number(match[1]) * UNITS[match[2]]);
}

/** A duration as people write it: 24h, 90m, 1.5 s. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms >= 2 * 86_400_000 && ms % 86_400_000 === 0) return `${ms / 86_400_000}d`; // 24h stays 24h, as it is written
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Bytes in decimal MB, as the backup summary prints them. */
export function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** The plan as rows (kind, repository, digest or key, bytes, reason) with a header. */
export function planRows(plan: PlannedDeletion[]): string[] {
  const header = ['KIND', 'REPOSITORY', 'DIGEST/KEY', 'BYTES', 'REASON'];
  const rows = plan.map((p) => [p.kind, p.repository ?? '-', p.digest ?? p.key ?? '-', String(p.bytes), p.reason + (p.done ? '' : ' (kept)')]);
  return columns(header, rows);
}

/** What a run took, by kind: counted from the run record (a real run) or the plan (a dry run). */
export function tally(report: GcReport): { manifests: number; links: number; blobs: number; objects: number; bytes: number } {
  const { run, plan } = report;
  if (!run.dryRun) {
    return { manifests: run.manifestsDeleted, links: run.linksDeleted, blobs: run.blobsDeleted, objects: run.objectsDeleted, bytes: run.bytesFreed };
  }
  const count = (kind: PlannedDeletion['kind']) => plan.filter((p) => p.kind === kind).length;
  // A link holds no bytes of its own (0 in the plan); a manifest's are its inline body or its body's object.
  const bytes = plan.reduce((n, p) => n + p.bytes, 0);
  return { manifests: count('manifest'), links: count('link'), blobs: count('blob'), objects: count('object'), bytes };
}

/** The last line: `gc: 12 manifests, 30 links, 25 blobs, 3 objects, 412.5 MB freed in 2.1 s (run 7f3c...)`. */
export function summaryLine(report: GcReport): string {
  const t = tally(report);
  const { run } = report;
  const seconds = (((run.finishedAt ?? run.startedAt) - run.startedAt) / 1000).toFixed(1);
  const what = `${t.manifests} manifests, ${t.links} links, ${t.blobs} blobs, ${t.objects} objects, ${mb(t.bytes)}`;
  const head = run.dryRun ? `gc (dry run): ${what} would be freed` : `gc: ${what} freed`;
  const end = run.status === 'incomplete' ? '; stopped at its deadline, the next run goes on' : run.status === 'failed' ? `; failed: ${run.error ?? 'unknown error'}` : '';
  return `${head} in ${seconds} s (run ${run.runId})${end}`;
}

/** `gc history`: one row per run, most recent first. */
export function historyRows(runs: GcRunRecord[]): string[] {
  const header = ['STARTED', 'HOST', 'STATUS', 'MANIFESTS', 'LINKS', 'BLOBS', 'OBJECTS', 'FREED', 'DURATION', 'RUN'];
  const rows = runs.map((r) => [
    new Date(r.startedAt).toISOString(), r.host, r.dryRun ? `${r.status} (dry run)` : r.status,
    String(r.manifestsDeleted), String(r.linksDeleted), String(r.blobsDeleted), String(r.objectsDeleted), mb(r.bytesFreed),
    r.finishedAt ? `${((r.finishedAt - r.startedAt) / 1000).toFixed(1)} s` : '-', r.runId,
  ]);
  return columns(header, rows);
}

function columns(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [header, ...rows].map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  '));
}
