import { availableCpus, cpuTime, preempted, spinCanPay, systemLoad } from '@x/internal';

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
 * probes again with the whole budget. A spin that finds the thread was preempted (`preempted` in @x/internal: a
 * turn more than 1 ms late with under half of it on the CPU) stops at once and turns spinning off for the next 256 tasks; so
 * do spins that, taken together, got under 0.6 of a CPU (see {@link MIN_CPU_SHARE}).
 */

/** Tasks between two probes once the budget is zero; tasks skipped after a preemption. */
const PROBE_EVERY = 32;
const PREEMPTED_BACKOFF = 256;
/**
 * Spins during which this thread (this process, where the runtime cannot tell threads apart) got less than this
 * share of the wall-clock time are starved the same way, even if no single turn was late: with six busy
 * processes on 2 cores, the process got 0.42-0.44 of a CPU per second, and spinning made one tiny ThreadPool
 * task 40-45 µs instead of 29-35. Judged over the spins of each {@link SHARE_WINDOW_MS} of spinning (a single
 * spin of a few µs says little).
 */
const MIN_CPU_SHARE = 0.6;
/**
 * The first judgement covers 10 ms of spinning: long enough for the kernel to move two spinning processes apart.
 * A process woken by the other's write is often put on the writer's CPU (the wake-up is "synchronous"), and two
 * processes that then spin there get half a CPU each until the load balancer moves one to the idle CPU, a few ms
 * later. Judged over 0.5 ms, that looked like a busy machine: a ProcessPool parent backed off every few hundred
 * tasks and the two never stayed apart (one tiny task at a time: 73-136 µs median; pinned apart by hand with
 * `taskset`, 45-49 µs). Once a judgement found the thread starved, the next ones cover 0.5 ms, until one finds
 * it was not: on a busy machine the probes then back off at once, as the first window cost only 10 ms.
 */
const SHARE_WINDOW_MS = 10;
const SHARE_WINDOW_AFTER_STARVED_MS = 0.5;

/**
 * A machine whose load average reaches its CPUs + 1 has no CPU to spare (the +1 leaves room for the spinning pair
 * itself: a parent and a child both turning count up to 2): no spin starts, probes included, until it falls
 * under CPUs + 0.5. The other rules react within a spin but only after it has cost something, and on a loaded
 * machine each spin costs: with six busy processes on 2 cores, one tiny task at a time took 58 µs spinning
 * against 46 with `spin: 0` (ThreadPool), and 123 against 79 µs (ProcessPool).
 */
const BUSY_LOAD = 1;
const NOT_BUSY_LOAD = 0.5;
const LOAD_EVERY_MS = 500;

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
  cpus(): number | undefined;
  /**
   * The system's one-minute load average and the machine's CPUs (all of them, whatever this process's
   * affinity), or undefined where unknown (then only the other rules apply). Read at most every
   * {@link LOAD_EVERY_MS}; see {@link BUSY_LOAD}.
   */
  load?(): { average: number; cpus: number } | undefined;
}

const defaultClock: SpinClock = {
  now: () => performance.now(),
  cpu: cpuTime,
  // Unknown (undefined): spinning may pay (`spinCanPay`); the adaptive rules still apply.
  cpus: availableCpus,
  load: systemLoad,
};

export class LoopSpin {
  readonly #maxMs: number;
  readonly #clock: SpinClock;
  #budget: number;
  #skipped = 0;
  #spinning = false;
  /** A turn of the chain is scheduled (it may outlive the spin that scheduled it: see {@link sent}). */
  #scheduled = false;
  #answered = false;
  #until = 0;
  #turnAt = 0;
  #turnCpu = 0;
  #startAt = 0;
  #startCpu = 0;
  /** Wall-clock and CPU time of the spins since the last judgement (see {@link MIN_CPU_SHARE}). */
  #sharedWall = 0;
  #sharedCpu = 0;
  #busy = false;
  #loadAt = Number.NEGATIVE_INFINITY;
  /** Wall-clock time of spinning the next judgement covers (see {@link SHARE_WINDOW_MS}). */
  #window = SHARE_WINDOW_MS;

  /** `maxMs` 0 never spins. */
  constructor(maxMs: number, clock: SpinClock = defaultClock) {
    this.#clock = clock;
    this.#maxMs = typeof setImmediateOf() === 'function' && spinCanPay(clock.cpus()) ? maxMs : 0;
    this.#budget = this.#maxMs;
  }

  /** A task was sent and its answer is awaited: turn the loop until {@link answered} or the budget runs out. */
  sent(): void {
    // Already waiting for an earlier task's answer.
    if (this.#maxMs === 0 || (this.#spinning && !this.#answered)) return;
    let now = Number.NaN;
    let cpu = Number.NaN;
    if (this.#spinning) {
      // The answer came and the next task went out in the same turn (an awaiter sent it), before the chain's
      // next turn could close the spin: close it as answered now, and spin for the new task on the same chain.
      // Otherwise every other task of a one-at-a-time caller would find the spin just ending, and wait asleep.
      now = this.#clock.now();
      cpu = this.#clock.cpu();
      this.#spinning = false;
      this.#budget = Math.min(this.#maxMs, this.#budget * 2);
      if (this.#account(now, cpu)) return;
    }
    if (this.#budget === 0) {
      if (++this.#skipped < PROBE_EVERY) return;
      this.#skipped = 0;
      this.#budget = this.#maxMs;
    }
    if (Number.isNaN(now)) {
      now = this.#clock.now();
      cpu = this.#clock.cpu();
    }
    if (Number.isNaN(cpu) || this.#machineBusy(now)) return;
    this.#spinning = true;
    this.#answered = false;
    this.#turnAt = this.#startAt = now;
    this.#turnCpu = this.#startCpu = cpu;
    this.#until = this.#turnAt + this.#budget;
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediateOf()!(this.#turn);
    }
  }

  /** Whether the load average says the machine has no CPU to spare (see {@link BUSY_LOAD}). */
  #machineBusy(now: number): boolean {
    const load = this.#clock.load;
    if (load === undefined) return false;
    if (now - this.#loadAt < LOAD_EVERY_MS) return this.#busy;
    this.#loadAt = now;
    const system = load();
    if (system === undefined) return (this.#busy = false);
    this.#busy = system.average >= system.cpus + (this.#busy ? NOT_BUSY_LOAD : BUSY_LOAD);
    return this.#busy;
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
   * Adds a finished spin's wall-clock and CPU time to the running account; once it covers the window (see
   * {@link SHARE_WINDOW_MS}), backs off (true) if the thread got under {@link MIN_CPU_SHARE} of it.
   */
  #account(now: number, cpu: number): boolean {
    this.#sharedWall += now - this.#startAt;
    this.#sharedCpu += cpu - this.#startCpu;
    if (this.#sharedWall < this.#window) return false;
    const starved = this.#sharedCpu < this.#sharedWall * MIN_CPU_SHARE;
    this.#sharedWall = this.#sharedCpu = 0;
    this.#window = starved ? SHARE_WINDOW_AFTER_STARVED_MS : SHARE_WINDOW_MS;
    if (starved) this.#backOff();
    return starved;
  }

  readonly #turn = (): void => {
    this.#scheduled = false;
    if (!this.#spinning) return; // closed by `sent`, then backed off
    const now = this.#clock.now();
    const cpu = this.#clock.cpu();
    if (preempted(now - this.#turnAt, cpu - this.#turnCpu)) {
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
    this.#scheduled = true;
    setImmediateOf()!(this.#turn);
  };
}
