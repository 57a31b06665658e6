/**
 * `npx stratus gc`: one run of the garbage collector (README "Storage lifecycle") on the target's table and
 * bucket, registry running or not, and `gc history`: the runs recorded in the table.
 */
import { hostname } from 'node:os';
import { DynamoDbGcStore } from '../lambda/adapters/dynamodb/dynamodb-gc-store';
import { collectGarbage, GcReport } from '../lambda/core/gc';
import type { Logger } from '../lambda/shared/logger';
import type { CommandContext, CommandOptions } from './commands';
import { CliError } from './errors';
import { DEFAULT_GRACE, formatDuration, historyRows, parseGrace, planRows, summaryLine } from './gc-report';
import type { Target } from './target';
import type { TargetCommand } from './target-command';
import { terminalProgress } from './terminal-progress';

/** Below this grace period a push in progress may have to upload its layers again (the README's lower bound). */
const SAFE_GRACE_MS = 3_600_000;

/** `npx stratus gc ...`: usage line -> implementation. */
export const GC_COMMANDS: Record<string, [string, TargetCommand]> = {
  gc: ['gc [--dry-run] [--grace 24h] [--json] [--verbose]  collect garbage now (with --table: --bucket <stack output BucketName>)', gc],
  'gc history': ['gc history [--limit 20] [--json]          recent garbage collection runs', gcHistory],
};

type GcCommandOptions = CommandOptions & { verbose?: boolean };

async function gc(ctx: CommandContext, target: Target): Promise<void> {
  if (ctx.args.length > 0) throw new CliError(`unexpected "${ctx.args.join(' ')}": usage: npx stratus ${GC_COMMANDS.gc[0].replace(/ {2,}.*/, '')}`, 2);
  if (!target.bucket) throw new CliError('gc needs the blob bucket: internal error, the target was opened without it');
  const opts = ctx.opts as GcCommandOptions;
  const graceMs = parseGrace(opts.grace ?? DEFAULT_GRACE);
  const dryRun = !!opts['dry-run'];
  const progress = opts.json ? undefined : terminalProgress();
  const err = (line: string) => process.stderr.write(`${line}\n`);
  if (graceMs < SAFE_GRACE_MS && !dryRun) err(`gc: grace ${formatDuration(graceMs)} is under 1 h: a push in progress may have to upload its layers again`);

  // A failed run is recorded by the collector and thrown: the CLI prints it and exits 1.
  const report: GcReport = await collectGarbage(
    { gc: new DynamoDbGcStore(target.doc, target.table), blobs: target.bucket.blobs, logger: stderrLogger(err), now: Date.now },
    {
      graceMs, dryRun, host: `cli@${hostname()}`,
      onProgress: progress && ((p) => progress(`gc: ${p.phase} ${p.done}${p.total !== undefined ? `/${p.total}` : ''}`)),
    },
  ).finally(() => progress?.(''));
  if (opts.json) {
    ctx.out(JSON.stringify(report, null, 2));
  } else {
    if (dryRun || opts.verbose) {
      ctx.out(`${dryRun ? 'would delete' : 'deleted'} from ${target.description} (grace ${formatDuration(graceMs)}):`);
      for (const line of report.plan.length ? planRows(report.plan) : ['nothing']) ctx.out(line);
    }
    ctx.out(summaryLine(report));
  }
}

async function gcHistory(ctx: CommandContext, target: Target): Promise<void> {
  if (ctx.args.length > 0) throw new CliError(`unexpected "${ctx.args.join(' ')}": usage: npx stratus ${GC_COMMANDS['gc history'][0].replace(/ {2,}.*/, '')}`, 2);
  const limit = ctx.opts.limit === undefined ? 20 : Number(ctx.opts.limit);
  if (!Number.isSafeInteger(limit) || limit < 1) throw new CliError(`invalid --limit "${ctx.opts.limit}": a whole number of runs, at least 1`, 2);
  const runs = await new DynamoDbGcStore(target.doc, target.table).listRuns(limit);
  if (ctx.opts.json) return ctx.out(JSON.stringify(runs, null, 2));
  if (runs.length === 0) return ctx.out(`no garbage collection runs recorded in ${target.description}: run one with npx stratus gc --dry-run`);
  for (const line of historyRows(runs)) ctx.out(line);
}

/** The collector's warnings and errors on stderr; its info lines are what the plan already shows. */
function stderrLogger(err: (line: string) => void): Logger {
  const line = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    err(`gc: ${level}: ${message}${fields && Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : ''}`);
  return { info: () => undefined, warn: line('warning'), error: line('error') };
}
