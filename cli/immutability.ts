import type { TargetCommand } from './target-command';

/** `npx stratus immutability ...`: usage line -> implementation (filled in by the immutability feature). */
export const IMMUTABILITY_COMMANDS: Record<string, [string, TargetCommand]> = {};
