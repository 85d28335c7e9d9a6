// Retries transient failures with exponential backoff and jitter.

export interface RetryOptions {
  /** Total attempts (default 4). */
  attempts?: number;
  /** First delay in ms (default 200); doubles each time. */
  baseDelayMs?: number;
  isTransient: (err: unknown) => boolean;
}

export async function withRetry<T>(fn: () => Promise<T>, opts: RetryOptions): Promise<T> {
  const attempts = opts.attempts ?? 4;
  const base = opts.baseDelayMs ?? 200;
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts || !opts.isTransient(err)) throw err;
      const delay = base * 2 ** (i - 1) * (0.75 + Math.random() * 0.5);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
