import { brandErrorClass } from '@x/internal';

/**
 * Every error class of @x/timeout. A deadline that passes rejects with {@link TimeoutError}; work this
 * package cancels for another reason is aborted with {@link AbortError}; a caller's own `signal.reason` is
 * always passed through unchanged.
 */

/** Options accepted by every error class here. */
export interface XErrorOptions {
  cause?: unknown;
}

/**
 * A deadline passed before the operation settled. It is also the `reason` of the signal that was handed to
 * the operation, so code below (a `fetch`, a timer, a thread) sees the same error.
 *
 * @example
 * ```ts
 * try {
 *   await withTimeout(100, (signal) => fetch(url, { signal }));
 * } catch (error) {
 *   if (error instanceof TimeoutError) console.log(`gave up after ${error.ms} ms`);
 * }
 * ```
 * Like Python's `TimeoutError` raised by `asyncio.wait_for` and `asyncio.timeout()`.
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
        `The operation timed out after ${ms} ms and its signal was aborted. ` +
          'Give it more time, or pass `fallback` to resolve with a value instead.',
      options,
    );
    this.ms = ms;
  }

  /**
   * The same as `ms`, under the name a pool's `TimeoutError` (from @x/executor) uses: the two classes are one
   * identity (`instanceof` either holds for both), so each has the other's field too.
   */
  get timeout(): number {
    return this.ms;
  }
}

/**
 * @internal A {@link TimeoutError} built by the shared deadline timer. Its stack frames could only show that
 * timer (never the caller, who is not on the stack when a deadline fires), and capturing them was most of the
 * cost of an expiry (about 10 µs of 15 here), which a bucket of deadlines due together pays one after the
 * other: so none are captured, and `stack` is just the name and message.
 */
export function timerTimeoutError(ms: number, message: string): TimeoutError {
  const limit = Error.stackTraceLimit;
  // A runtime without the V8 knob gains nothing; a hardened realm (frozen intrinsics) refuses the write.
  if (typeof limit !== 'number' || !trySetStackTraceLimit(0)) return new TimeoutError(ms, message);
  try {
    return new TimeoutError(ms, message);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

function trySetStackTraceLimit(value: number): boolean {
  try {
    Error.stackTraceLimit = value;
    return Error.stackTraceLimit === value;
  } catch {
    return false;
  }
}

/**
 * The work was cancelled by this package for a reason other than a deadline: a timeout scope was closed
 * while an operation started with `scope.run()` was still running. (When a caller aborts its own signal,
 * its `signal.reason` is used unchanged instead.)
 *
 * @example
 * ```ts
 * const scope = timeoutScope(1000);
 * const pending = scope.run((signal) => sleep(500, { signal }));
 * scope.close();
 * await pending.catch((error) => error.code === 'ERR_X_ABORTED'); // true
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
 * A timeout scope was used after it ended: `reschedule()` after it expired, was aborted or was closed, or
 * `run()` after it was closed.
 *
 * @example
 * ```ts
 * const scope = timeoutScope(10);
 * scope.close();
 * scope.reschedule(100); // throws InvalidStateError
 * ```
 * Like the `RuntimeError` of Python's `Timeout.reschedule()` on an expired timeout.
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
