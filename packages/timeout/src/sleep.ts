import { type AbortSubscription, onAbort } from '@x/internal';
import { type Bucket, type Deadline, now, schedule, unschedule } from './deadline-queue.js';
import { ownOptions, validateMs, validateSignal } from './validate.js';

/** Options of {@link sleep}. */
export interface SleepOptions {
  /**
   * Ends the sleep early: the promise rejects with `signal.reason`, unchanged, and the timer is dropped.
   * @default undefined
   */
  signal?: AbortSignal;
}

/**
 * Resolves with `undefined` after `ms` milliseconds (never earlier), on the same shared clock as
 * `withTimeout`. Rejects with `options.signal.reason` if the signal aborts first (at once if it already has).
 * `ms = 0` resolves on the next turn of the event loop; `ms = Infinity` waits until the signal aborts (and
 * keeps no timer). A pending sleep keeps the process alive, like `setTimeout`.
 *
 * Throws synchronously a `TypeError`/`RangeError` for a negative, NaN or non-number `ms` or a bad signal.
 *
 * @example
 * ```ts
 * await sleep(250);
 * await sleep(10_000, { signal: AbortSignal.timeout(100) }); // rejects after ~100 ms
 * ```
 * Like Python's `asyncio.sleep(delay)`.
 */
export function sleep(ms: number, options?: SleepOptions): Promise<void> {
  validateMs(ms, 'ms');
  options = ownOptions(options, 'options');
  const signal = options?.signal;
  validateSignal(signal, 'options.signal');
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const sleeper = new Sleeper(resolve, reject);
    if (ms !== Number.POSITIVE_INFINITY) schedule(sleeper, now() + ms, true);
    if (signal !== undefined) sleeper.subscription = onAbort(signal, sleeper);
  });
}

class Sleeper implements Deadline {
  _bucket: Bucket | null = null;
  _slot = 0;
  _ref = true;
  subscription: AbortSubscription | undefined = undefined;

  constructor(
    readonly resolve: () => void,
    readonly reject: (reason: unknown) => void,
  ) {}

  _expire(): void {
    this.subscription?.unsubscribe();
    this.resolve();
  }

  /** The caller's signal aborted (the subscription is already gone): drop the timer. */
  handleAbort(reason: unknown): void {
    unschedule(this);
    this.reject(reason);
  }
}
