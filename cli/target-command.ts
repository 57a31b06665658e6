import type { CommandContext } from './commands';
import type { Target } from './target';

/** A command that works on the target's table (and, for some, its bucket) rather than on the auth store alone. */
export type TargetCommand = (ctx: CommandContext, target: Target) => Promise<void>;
