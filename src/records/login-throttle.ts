// Failed logins to the record pages, counted per client address in a fixed 15-minute window: past
// LOGIN_MAX_FAILURES the address is refused (429) until its window ends, without its key being
// checked. In memory, per process, and bounded: at most MAX_ADDRESSES windows are kept, the oldest
// dropped first, so a flood of addresses cannot grow it.
export const LOGIN_WINDOW_MS = 15 * 60_000;
const MAX_ADDRESSES = 10_000;

export class LoginThrottle {
  private readonly windows = new Map<string, { failures: number; startedAt: number }>();

  constructor(
    private readonly maxFailures: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until this address may try again; 0 when it may try now. */
  waitSeconds(address: string): number {
    const window = this.windows.get(address);
    if (!window) return 0;
    const left = window.startedAt + LOGIN_WINDOW_MS - this.now();
    if (left <= 0) {
      this.windows.delete(address);
      return 0;
    }
    return window.failures >= this.maxFailures ? Math.ceil(left / 1000) : 0;
  }

  recordFailure(address: string): void {
    const now = this.now();
    let window = this.windows.get(address);
    if (!window || window.startedAt + LOGIN_WINDOW_MS <= now) {
      this.windows.delete(address);
      window = { failures: 0, startedAt: now };
      if (this.windows.size >= MAX_ADDRESSES) this.windows.delete(this.windows.keys().next().value!);
      this.windows.set(address, window);
    }
    window.failures += 1;
  }

  recordSuccess(address: string): void {
    this.windows.delete(address);
  }
}
