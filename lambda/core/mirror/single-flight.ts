/**
 * Concurrent calls for one key share one run: twenty cold pulls of a tag in one process cause one upstream
 * request. The result is not kept once the run ends (the next call runs again).
 */
export class SingleFlight<T> {
  private readonly running = new Map<string, Promise<T>>();

  run(key: string, work: () => Promise<T>): Promise<T> {
    const current = this.running.get(key);
    if (current) return current;
    const started = work().finally(() => this.running.delete(key));
    this.running.set(key, started);
    return started;
  }
}
