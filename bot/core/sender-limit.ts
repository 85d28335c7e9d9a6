// A per-sender limit on inbound events, checked before anything is written
// (the inbox row, the audit entry): at most `limit` events per `windowMs` for
// one platform account. Anyone can message a public bot; one account must not
// be able to fill the database or hold the audit lock.

export class SenderRateLimit {
  private readonly recent = new Map<string, number[]>();
  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** True (and counted) when `key` may send one more event now. */
  take(key: string): boolean {
    const t = this.now();
    const list = (this.recent.get(key) ?? []).filter((x) => x > t - this.windowMs);
    if (list.length >= this.limit) {
      this.recent.set(key, list);
      return false;
    }
    list.push(t);
    this.recent.set(key, list);
    if (this.recent.size > 10_000) {
      for (const [k, v] of this.recent) if (v.every((x) => x <= t - this.windowMs)) this.recent.delete(k);
    }
    return true;
  }
}
