/**
 * The start times of the last `limit` calls, in a ring: a call may start when fewer than `limit` started in
 * the past `interval` ms. A sliding window, so no burst of 2 × limit straddles a window boundary (which the
 * fixed windows of p-queue's `intervalCap` allow).
 */
export class RateWindow {
  readonly #starts: number[] = [];
  #oldest = 0;
  constructor(
    readonly limit: number,
    readonly interval: number,
  ) {}

  /** True when a call may start now. */
  allows(): boolean {
    return (
      this.#starts.length < this.limit || performance.now() - this.#starts[this.#oldest]! >= this.interval
    );
  }

  /** Milliseconds until the next call may start (0 if it may now). */
  wait(): number {
    if (this.#starts.length < this.limit) return 0;
    return Math.max(0, this.#starts[this.#oldest]! + this.interval - performance.now());
  }

  /** Records a start now. */
  record(): void {
    const now = performance.now();
    if (this.#starts.length < this.limit) this.#starts.push(now);
    else {
      this.#starts[this.#oldest] = now;
      this.#oldest = (this.#oldest + 1) % this.limit;
    }
  }
}
