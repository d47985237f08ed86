import { brandErrorClass } from '@x/internal';

/**
 * Every error class of @x/retry. Retry rejects with an attempt's own error (the last one) when it stops
 * retrying, with the caller's `signal.reason` (unchanged) when the caller aborts, and with
 * {@link TimeoutError} only when it refuses to wait into the caller's deadline.
 */

/** Options accepted by every error class here. */
export interface XErrorOptions {
  cause?: unknown;
}

/**
 * `retry` stopped early because the next attempt (or the delay before it) would end past the deadline of the
 * signal it was given, so it did not sleep into that deadline. It is one class with `@x/timeout`'s
 * `TimeoutError` (and the pools'): `instanceof` either holds for all of them, and `code` is `ERR_X_TIMEOUT`,
 * so code that handles a scope's deadline handles this one too. `cause` is the last attempt's error (absent
 * if no attempt ran), and `errors` lists every attempt's error, in order.
 *
 * @example
 * ```ts
 * using scope = timeoutScope(2000);
 * try {
 *   await retry((signal) => fetch(url, { signal }), { signal: scope.signal });
 * } catch (error) {
 *   if (error instanceof TimeoutError) console.log(`no time left after ${error.errors.length} attempts`);
 * }
 * ```
 * Like the `RetryError` tenacity raises when `stop_after_delay` ends the retrying.
 */
export class TimeoutError extends Error {
  static {
    brandErrorClass(this, 'ERR_X_TIMEOUT');
  }

  override name = 'TimeoutError' as const;
  readonly code = 'ERR_X_TIMEOUT' as const;
  /** The time retry had, from its start to the deadline, in milliseconds (rounded). */
  readonly ms: number;
  /** The error of every attempt that ran, in order; the last one is also the `cause`. */
  readonly errors: readonly unknown[];
  constructor(ms: number, message: string, errors: readonly unknown[], options?: XErrorOptions) {
    super(message, options);
    this.ms = ms;
    this.errors = errors;
  }

  /** The same as `ms`, under the name the pools' `TimeoutError` uses (the classes are one identity). */
  get timeout(): number {
    return this.ms;
  }
}
