// At most `limit` calls per `windowMs` for each key (e.g. 5 sends per second per
// Feishu chat): callers wait their turn instead of being refused.

export class PerKeyRateLimiter {
  private readonly recent = new Map<string, number[]>();
  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Resolves when a call for `key` may go out (and counts it). */
  async acquire(key: string): Promise<void> {
    for (;;) {
      const t = this.now();
      const list = (this.recent.get(key) ?? []).filter((x) => x > t - this.windowMs);
      if (list.length < this.limit) {
        list.push(t);
        this.recent.set(key, list);
        return;
      }
      this.recent.set(key, list);
      await new Promise((r) => setTimeout(r, list[0]! + this.windowMs - t + 1));
    }
  }
}
