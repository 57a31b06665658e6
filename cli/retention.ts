import type { TargetCommand } from './target-command';

/** `npx stratus retention ...`: usage line -> implementation (filled in by the retention feature). */
export const RETENTION_COMMANDS: Record<string, [string, TargetCommand]> = {};
