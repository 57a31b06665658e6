import type { TargetCommand } from './target-command';

/** `npx stratus gc ...`: usage line -> implementation (filled in by the gc feature). */
export const GC_COMMANDS: Record<string, [string, TargetCommand]> = {};
