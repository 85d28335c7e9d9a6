/** Resident-set high-water of this process: sampled (per phase) and the kernel's maxRSS. */
export class RssSampler {
  private timer: NodeJS.Timeout | undefined;
  peak = 0;

  constructor(private readonly everyMs = 20) {}

  start(): this {
    this.peak = process.memoryUsage.rss();
    this.timer = setInterval(() => {
      this.peak = Math.max(this.peak, process.memoryUsage.rss());
    }, this.everyMs);
    this.timer.unref();
    return this;
  }

  /** Stop; the peak in MiB. */
  stop(): number {
    if (this.timer) clearInterval(this.timer);
    this.peak = Math.max(this.peak, process.memoryUsage.rss());
    return mib(this.peak);
  }
}

export const mib = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;

/** process.resourceUsage().maxRSS (KiB) in MiB: the whole process so far. */
export const maxRssMib = () => Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
