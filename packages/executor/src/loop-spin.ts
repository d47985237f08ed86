import { availableCpus, cpuTime } from '@x/internal';

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
 * turning is the one the kernel makes wait) stops at once and turns spinning off for the next 256 tasks; so
 * do spins that, taken together, got under 0.6 of a CPU (see {@link MIN_CPU_SHARE}).
 */

/** Tasks between two probes once the budget is zero; tasks skipped after a preemption. */
const PROBE_EVERY = 32;
const PREEMPTED_BACKOFF = 256;
const LATE_TURN_MS = 1;
/**
 * Spins during which this thread (this process, where the runtime cannot tell threads apart) got less than this
 * share of the wall-clock time are starved the same way, even if no single turn was late: with six busy
 * processes on 2 cores, the process got 0.42-0.44 of a CPU per second, and spinning made one tiny ThreadPool
 * task 40-45 µs instead of 29-35. Judged over the spins of each {@link SHARE_WINDOW_MS} of spinning (a single
 * spin of a few µs says little).
 */
const MIN_CPU_SHARE = 0.6;
const SHARE_WINDOW_MS = 0.5;

/** Looked up per call, like `setTimeout`: fake timers or a spy installed after this module loaded apply. */
const setImmediateOf = () => (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate;

/** The clocks a spin reads, in ms, and the CPUs it may use (tests give their own). */
export interface SpinClock {
  now(): number;
  /** CPU time of this thread or process; NaN where unknown (then it never spins). */
  cpu(): number;
  /**
   * CPUs this process may run on (`os.availableParallelism()`: a process pinned to one with `taskset`, or a
   * container given one, sees 1). With one, it never spins: the other side could only run once it stops.
   */
  cpus(): number;
}

const defaultClock: SpinClock = {
  now: () => performance.now(),
  cpu: cpuTime,
  // Unknown: assume spinning may pay; the adaptive rules still apply.
  cpus: () => availableCpus() ?? 2,
};

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
  #startAt = 0;
  #startCpu = 0;
  /** Wall-clock and CPU time of the spins since the last judgement (see {@link MIN_CPU_SHARE}). */
  #sharedWall = 0;
  #sharedCpu = 0;

  /** `maxMs` 0 never spins. */
  constructor(maxMs: number, clock: SpinClock = defaultClock) {
    this.#clock = clock;
    this.#maxMs = typeof setImmediateOf() === 'function' && clock.cpus() > 1 ? maxMs : 0;
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
    this.#turnAt = this.#startAt = this.#clock.now();
    this.#turnCpu = this.#startCpu = cpu;
    this.#until = this.#turnAt + this.#budget;
    setImmediateOf()!(this.#turn);
  }

  /** An answer arrived: the spin (if any) has done its job. */
  answered(): void {
    this.#answered = true;
  }

  #backOff(): void {
    this.#spinning = false;
    this.#budget = 0;
    this.#skipped = PROBE_EVERY - PREEMPTED_BACKOFF;
    this.#sharedWall = this.#sharedCpu = 0;
  }

  /**
   * Adds a finished spin's wall-clock and CPU time to the running account; once it covers
   * {@link SHARE_WINDOW_MS}, backs off (true) if the thread got under {@link MIN_CPU_SHARE} of it.
   */
  #account(now: number, cpu: number): boolean {
    this.#sharedWall += now - this.#startAt;
    this.#sharedCpu += cpu - this.#startCpu;
    if (this.#sharedWall < SHARE_WINDOW_MS) return false;
    const starved = this.#sharedCpu < this.#sharedWall * MIN_CPU_SHARE;
    this.#sharedWall = this.#sharedCpu = 0;
    if (starved) this.#backOff();
    return starved;
  }

  readonly #turn = (): void => {
    const now = this.#clock.now();
    const cpu = this.#clock.cpu();
    if (now - this.#turnAt > LATE_TURN_MS && cpu - this.#turnCpu < (now - this.#turnAt) / 2) {
      // Preempted: on a busy machine, turning the loop only makes this process wait longer for the CPU.
      this.#backOff();
      return;
    }
    if (this.#answered) {
      this.#spinning = false;
      this.#budget = Math.min(this.#maxMs, this.#budget * 2);
      this.#account(now, cpu);
      return;
    }
    if (now >= this.#until) {
      this.#spinning = false;
      if (this.#account(now, cpu)) return;
      this.#budget = this.#budget > this.#maxMs / 8 ? this.#budget / 2 : 0;
      return;
    }
    this.#turnAt = now;
    this.#turnCpu = cpu;
    setImmediateOf()!(this.#turn);
  };
}
