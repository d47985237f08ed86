import { DurationHistogram } from './histogram.js';
import type { Slot } from './worker-slot.js';

/** Percentiles of a duration, in milliseconds (0 for each while nothing was recorded). */
export interface TimingSummary {
  min: number;
  max: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
}

/**
 * Now, in microseconds, wrapped to an int32. Per-task timestamps are kept this way because a small integer
 * lives in the task object itself, where a double would be a separate heap number per task (garbage on the
 * hot path). Intervals are `(later - earlier) | 0`, exact across the wrap for anything under 35 minutes.
 */
export const nowMicros = (): number => (performance.now() * 1000) | 0;

/** What `pool.stats()` returns: the pool's state now and its history since it was created. */
export interface PoolStats {
  /** Workers alive now (starting, serving or retiring). */
  workers: number;
  /** Workers alive with no task in flight. */
  idle: number;
  /** Tasks handed to a worker and not settled yet. */
  running: number;
  /** Tasks waiting for a worker. */
  queued: number;
  /** Tasks that returned a value. */
  completed: number;
  /** Tasks that threw, crashed their worker, or could not be sent. */
  failed: number;
  /** Tasks ended by the pool or the caller before they finished: `signal`, `timeout`, `runTimeout`, `shutdown`. */
  cancelled: number;
  /** Share (0 to 1) of the workers' lifetime spent with at least one task in flight, since the pool started. */
  utilization: number;
  /** From a task's dispatch to its worker until its result arrived (completed and failed tasks). */
  runTime: TimingSummary;
  /** From `submit` until the task was dispatched to a worker. */
  waitTime: TimingSummary;
}

const ZERO: TimingSummary = { min: 0, max: 0, mean: 0, p50: 0, p90: 0, p99: 0 };

function summary(histogram: DurationHistogram): TimingSummary {
  if (histogram.count === 0) return { ...ZERO };
  return {
    min: histogram.min / 1000,
    max: histogram.max / 1000,
    mean: histogram.mean / 1000,
    p50: histogram.percentile(50) / 1000,
    p90: histogram.percentile(90) / 1000,
    p99: histogram.percentile(99) / 1000,
  };
}

/**
 * The pool's counters and timings. Counting costs an increment per task; timing (on unless the pool's
 * `recordTiming` is false) a `performance.now()` per task and per message to or from a worker, and two
 * records per task in a {@link DurationHistogram} (percentiles within about 3 %).
 */
export class StatsRecorder {
  completed = 0;
  failed = 0;
  cancelled = 0;
  /** Whether timings are recorded (the pool's `recordTiming`). */
  readonly timing: boolean;
  readonly #run: DurationHistogram | undefined;
  readonly #wait: DurationHistogram | undefined;
  /** Busy and alive time (ms) of the workers that have exited. */
  #busyPast = 0;
  #alivePast = 0;

  constructor(timing: boolean) {
    this.timing = timing;
    if (timing) {
      this.#run = new DurationHistogram();
      this.#wait = new DurationHistogram();
    }
  }

  /** A task waited for its worker from `since` to `now` (both from {@link nowMicros}). */
  waited(since: number, now: number): void {
    this.#wait!.record((now - since) | 0);
  }

  /** A task ran on its worker from `since` to `now` (both from {@link nowMicros}). */
  ran(since: number, now: number): void {
    this.#run!.record((now - since) | 0);
  }

  /** `slot` got its first task in flight. */
  busy(slot: Slot, now: number): void {
    slot.busySince = now;
  }

  /** `slot` has no task in flight any more. */
  rested(slot: Slot, now: number): void {
    if (slot.busySince < 0) return;
    slot.busyTime += now - slot.busySince;
    slot.busySince = -1;
  }

  /** `slot` is gone: its times join those of the past workers. */
  exited(slot: Slot, now: number): void {
    if (slot.bornAt < 0) return;
    this.rested(slot, now);
    this.#busyPast += slot.busyTime;
    this.#alivePast += now - slot.bornAt;
    slot.bornAt = -1;
  }

  /** The summary for `pool.stats()`. */
  snapshot(workers: readonly Slot[], queued: number, running: number): PoolStats {
    const now = performance.now();
    let idle = 0;
    let busy = this.#busyPast;
    let alive = this.#alivePast;
    for (const slot of workers) {
      if (slot.inflight.size === 0) idle++;
      if (slot.bornAt < 0) continue;
      busy += slot.busyTime + (slot.busySince >= 0 ? now - slot.busySince : 0);
      alive += now - slot.bornAt;
    }
    return {
      workers: workers.length,
      idle,
      running,
      queued,
      completed: this.completed,
      failed: this.failed,
      cancelled: this.cancelled,
      utilization: this.timing && alive > 0 ? Math.min(1, busy / alive) : 0,
      runTime: this.#run === undefined ? { ...ZERO } : summary(this.#run),
      waitTime: this.#wait === undefined ? { ...ZERO } : summary(this.#wait),
    };
  }
}
