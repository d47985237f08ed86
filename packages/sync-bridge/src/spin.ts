import { availableCpus, spinCanPay } from '@x/internal';

/**
 * Busy-waits up to `ms` milliseconds for `control[index]` to differ from `value`; true when it did.
 * A short spin before `Atomics.wait` turns a reply that is microseconds away into a few hundred
 * nanoseconds instead of a futex sleep and wake-up.
 */
export function spinUntilChanged(control: Int32Array, index: number, value: number, ms: number): boolean {
  const end = performance.now() + ms;
  do {
    for (let i = 0; i < 64; i++) if (Atomics.load(control, index) !== value) return true;
  } while (performance.now() < end);
  return false;
}

/**
 * The spin to use, in ms, for a `spin` option of `micros`: none where this process may use only one CPU (pinned
 * with `taskset`, a one-CPU container), where the other thread could only run once the spinner stops.
 */
export function spinMsFor(micros: number, cpus: () => number | undefined = availableCpus): number {
  return spinCanPay(cpus()) ? micros / 1000 : 0;
}

/** With the budget at zero, every this many waits one probes with the whole budget. */
export const PROBE_EVERY = 32;

/**
 * A spin that learns whether spinning pays. When the other thread has a core of its own, its answer comes
 * within the spin and the spin stays. When it has none (a loaded machine), spinning only delays it, the
 * spins time out, and the budget halves down to zero; every 32nd wait then probes with the whole budget.
 * The probe must be that long: by then the other side has stopped spinning too, so the answer comes only after
 * its kernel wake-up (about 35 µs on a quiet VM), which a short probe never sees, and both sides would stay
 * off for good. On a loaded machine the probes cost about `maxMs / 32` per wait (measured: fewer probes
 * cost more latency with two free cores, as the spin takes longer to come back after a hiccup).
 * A `maxMs` of 0 never spins. Either way one wait spins at most `maxMs`.
 */
export class AdaptiveSpin {
  #budget: number;
  #skipped = 0;

  constructor(readonly maxMs: number) {
    this.#budget = maxMs;
  }

  /** Spins for the current budget; true when `control[index]` changed from `value` meanwhile. */
  spin(control: Int32Array, index: number, value: number): boolean {
    if (this.maxMs === 0) return false;
    if (this.#budget === 0) {
      if (++this.#skipped < PROBE_EVERY) return false;
      this.#skipped = 0;
      this.#budget = this.maxMs;
    }
    const changed = spinUntilChanged(control, index, value, this.#budget);
    if (changed) this.#budget = Math.min(this.maxMs, this.#budget * 2);
    else this.#budget = this.#budget > this.maxMs / 8 ? this.#budget / 2 : 0;
    return changed;
  }
}
