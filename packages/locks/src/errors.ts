import { brandErrorClass } from '@x/internal';

/**
 * Every error class of @x/locks. A wait that outlives its `timeout` rejects with {@link TimeoutError}; a
 * caller's own `signal.reason` is passed through unchanged; waiters dropped by `limit.clearQueue()` reject
 * with {@link AbortError}; misuse (releasing what is not held) throws {@link InvalidStateError} or a coded
 * `RangeError`; waiters of a broken barrier reject with {@link BrokenBarrierError}.
 */

/** Options accepted by every error class here. */
export interface XErrorOptions {
  cause?: unknown;
}

/**
 * A wait (`acquire`, `wait`, a limiter's queue) did not get what it waited for within its `timeout`. The
 * waiter has left the queue and holds nothing.
 *
 * @example
 * ```ts
 * try {
 *   using permit = await sem.acquire({ timeout: 100 });
 * } catch (error) {
 *   if (error instanceof TimeoutError) console.log(`no permit within ${error.ms} ms`);
 * }
 * ```
 * Like the `TimeoutError` of `asyncio.wait_for(sem.acquire(), 0.1)`.
 */
export class TimeoutError extends Error {
  static {
    brandErrorClass(this, 'ERR_X_TIMEOUT');
  }

  override name = 'TimeoutError' as const;
  readonly code = 'ERR_X_TIMEOUT' as const;
  /** The time limit that passed, in milliseconds. */
  readonly ms: number;
  constructor(ms: number, message?: string, options?: XErrorOptions) {
    super(
      message ??
        `Waited ${ms} ms without getting it; the waiter left the queue. Give it a longer \`timeout\`.`,
      options,
    );
    this.ms = ms;
  }
}

/**
 * A waiter was removed by this package rather than by its caller: `limit.clearQueue()` rejects the queued
 * calls with it (unless given a reason of its own). A caller's own `signal.reason` is used unchanged instead.
 *
 * @example
 * ```ts
 * const pending = lim(work);
 * lim.clearQueue();
 * await pending.catch((error) => error.code === 'ERR_X_ABORTED'); // true, if it was still queued
 * ```
 * Like Python's `asyncio.CancelledError`.
 */
export class AbortError extends Error {
  static {
    brandErrorClass(this, 'ERR_X_ABORTED');
  }

  override name = 'AbortError' as const;
  readonly code = 'ERR_X_ABORTED' as const;
  constructor(message = 'The operation was aborted.', options?: XErrorOptions) {
    super(message, options);
  }
}

/**
 * A primitive was used in a state that does not allow it: releasing a `Lock` that is not locked, or calling
 * a `Condition`'s `wait`/`notify` without holding its lock.
 *
 * @example
 * ```ts
 * new Lock().release(); // throws InvalidStateError (code ERR_X_INVALID_STATE)
 * ```
 * Like the `RuntimeError` of Python's `Lock.release()` on an unlocked lock.
 */
export class InvalidStateError extends Error {
  static {
    brandErrorClass(this, 'ERR_X_INVALID_STATE');
  }

  override name = 'InvalidStateError' as const;
  readonly code = 'ERR_X_INVALID_STATE' as const;
  constructor(message: string, options?: XErrorOptions) {
    super(message, options);
  }
}

/**
 * A `Barrier` was broken (by `abort()`) or reset (by `reset()`) while this party waited, or is broken when
 * it arrives. `reset()` makes a broken barrier usable again.
 *
 * @example
 * ```ts
 * const barrier = new Barrier(3);
 * const waiting = barrier.wait();
 * barrier.abort();
 * await waiting.catch((error) => error instanceof BrokenBarrierError); // true
 * ```
 * Like Python's `asyncio.BrokenBarrierError`.
 */
export class BrokenBarrierError extends Error {
  static {
    brandErrorClass(this, 'ERR_X_BROKEN_BARRIER');
  }

  override name = 'BrokenBarrierError' as const;
  readonly code = 'ERR_X_BROKEN_BARRIER' as const;
  constructor(
    message = 'The barrier is broken: it was aborted or reset. Call reset() to use it again.',
    options?: XErrorOptions,
  ) {
    super(message, options);
  }
}

/** The `RangeError` of `BoundedSemaphore.release()` above its initial value (Python raises `ValueError`). */
export function overReleased(bound: number): RangeError & { code: 'ERR_X_SEMAPHORE_OVER_RELEASED' } {
  return Object.assign(
    new RangeError(
      `BoundedSemaphore released too many times: its value would exceed its initial value ${bound}. ` +
        'Release only permits you acquired (or use the permit returned by acquire(), which releases once).',
    ),
    { code: 'ERR_X_SEMAPHORE_OVER_RELEASED' as const },
  );
}

/** Makes the error a timed-out waiter rejects with (one shared function, no closure per waiter). */
export const timeoutError = (ms: number): TimeoutError => new TimeoutError(ms);
