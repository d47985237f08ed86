/**
 * Keeps the event loop turning for a short while after a task was sent, so that its answer is read by a turn
 * of the loop that is already running instead of waking a sleeping one (issue 19). A thread or process that
 * sleeps in `epoll` costs tens of microseconds to wake on a quiet VM, which is most of a tiny task's round
 * trip: a `postMessage` echo took 91 µs sleeping and 26 µs turning, a `fork` IPC echo 150 and 68.
 *
 * Each spin is a chain of `setImmediate` turns: timers, I/O and other callbacks run between two of them as
 * usual (the loop polls I/O without blocking while an immediate is pending), so nothing waits on it; it only
 * burns the idle time. It learns whether spinning pays, as the bridge's spin does: a spin that an answer ends
 * doubles the budget (up to the maximum), one that runs out halves it, down to none, and then every 32nd task
 * probes again with the whole budget. A spin that finds the thread was preempted (a turn ran more than 1 ms
 * late while the thread got less than half that CPU: a busy machine, where a process that keeps its loop
 * turning is the one the kernel makes wait) stops at once and turns spinning off for the next 64 tasks.
 */

/** Tasks between two probes once the budget is zero; tasks skipped after a preemption. */
const PROBE_EVERY = 32;
const PREEMPTED_BACKOFF = 64;
const LATE_TURN_MS = 1;

interface CpuClock {
  threadCpuUsage?: () => { user: number; system: number };
  cpuUsage?: () => { user: number; system: number };
}

/** CPU time of this thread (Node 23.9+, Deno) or process, in ms; NaN where the runtime has neither. */
function cpuNow(): number {
  try {
    const proc = (globalThis as { process?: CpuClock }).process;
    const u = proc?.threadCpuUsage?.() ?? proc?.cpuUsage?.();
    return u === undefined ? Number.NaN : (u.user + u.system) / 1000;
  } catch {
    return Number.NaN;
  }
}

/** Looked up per call, like `setTimeout`: fake timers or a spy installed after this module loaded apply. */
const setImmediateOf = () => (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate;

/** The clocks a spin reads, in ms (tests give their own). */
export interface SpinClock {
  now(): number;
  /** CPU time of this thread or process; NaN where unknown (then it never spins). */
  cpu(): number;
}

const defaultClock: SpinClock = { now: () => performance.now(), cpu: cpuNow };

export class LoopSpin {
  readonly #maxMs: number;
  readonly #clock: SpinClock;
  #budget: number;
  #skipped = 0;
  #spinning = false;
  #answered = false;
  #until = 0;
  #turnAt = 0;
  #turnCpu = 0;

  /** `maxMs` 0 never spins. */
  constructor(maxMs: number, clock: SpinClock = defaultClock) {
    this.#clock = clock;
    this.#maxMs = typeof setImmediateOf() === 'function' ? maxMs : 0;
    this.#budget = this.#maxMs;
  }

  /** A task was sent and its answer is awaited: turn the loop until {@link answered} or the budget runs out. */
  sent(): void {
    if (this.#spinning || this.#maxMs === 0) return;
    if (this.#budget === 0) {
      if (++this.#skipped < PROBE_EVERY) return;
      this.#skipped = 0;
      this.#budget = this.#maxMs;
    }
    const cpu = this.#clock.cpu();
    if (Number.isNaN(cpu)) return;
    this.#spinning = true;
    this.#answered = false;
    this.#turnAt = this.#clock.now();
    this.#turnCpu = cpu;
    this.#until = this.#turnAt + this.#budget;
    setImmediateOf()!(this.#turn);
  }

  /** An answer arrived: the spin (if any) has done its job. */
  answered(): void {
    this.#answered = true;
  }

  readonly #turn = (): void => {
    const now = this.#clock.now();
    if (this.#answered) {
      this.#spinning = false;
      this.#budget = Math.min(this.#maxMs, this.#budget * 2);
      return;
    }
    const cpu = this.#clock.cpu();
    if (now - this.#turnAt > LATE_TURN_MS && cpu - this.#turnCpu < (now - this.#turnAt) / 2) {
      // Preempted: on a busy machine, turning the loop only makes this process wait longer for the CPU.
      this.#spinning = false;
      this.#budget = 0;
      this.#skipped = PROBE_EVERY - PREEMPTED_BACKOFF;
      return;
    }
    if (now >= this.#until) {
      this.#spinning = false;
      this.#budget = this.#budget > this.#maxMs / 8 ? this.#budget / 2 : 0;
      return;
    }
    this.#turnAt = now;
    this.#turnCpu = cpu;
    setImmediateOf()!(this.#turn);
  };
}
