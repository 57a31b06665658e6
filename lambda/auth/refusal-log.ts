/**
 * Aggregates refusal warnings: the first refusal of a key (account and address, say) is logged at once,
 * later ones at most once per window, with how many were refused since the last line. A locked account
 * being hammered writes one line a minute, not one per request.
 */
export class RefusalLog {
  private readonly entries = new Map<string, { since: number; suppressed: number }>();

  constructor(private readonly windowMs = 60_000, private readonly capacity = 10_000) {}

  /** Counts one refusal of `key`; calls `log` with the refusals since the last line when a line is due. */
  note(key: string, now: number, log: (refused: number) => void): void {
    const entry = this.entries.get(key);
    if (entry && now - entry.since < this.windowMs) {
      entry.suppressed++;
      return;
    }
    this.entries.delete(key);
    if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { since: now, suppressed: 0 });
    log((entry?.suppressed ?? 0) + 1);
  }
}
