import { brandErrorClass, type CodedError, describeReceived } from '@x/internal';

/**
 * Every error this package creates. Invalid arguments are plain `TypeError`/`RangeError` with a Node-core
 * `code`, thrown synchronously before any operation starts; cancellation is an {@link AbortError}.
 */

/**
 * The reason handed to an operation's `signal` when `@x/gather` gives up on it (a sibling failed, or an
 * `asCompleted()` loop ended early); `cause` holds the failure that triggered it, if any.
 *
 * It is never what `gather()` rejects with: callers see the real failure (or their own `signal.reason`).
 *
 * @example
 * ```ts
 * await gather([
 *   (signal) => fetch(usersUrl, { signal }), // sees AbortError { cause: Error('orders down') }
 *   () => Promise.reject(new Error('orders down')),
 * ]).catch((error) => error.message); // 'orders down'
 * ```
 * Like Python's `asyncio.CancelledError`.
 */
export class AbortError extends Error {
  static {
    brandErrorClass(this, 'ERR_X_ABORTED');
  }

  override readonly name = 'AbortError';
  readonly code = 'ERR_X_ABORTED';

  constructor(message = 'The operation was aborted.', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The reason given to the other operations when one fails in fail-fast mode. */
export function abortedBySibling(failure: unknown): AbortError {
  const what =
    failure instanceof Error ? `${failure.name}: ${failure.message}` : describeReceived(failure).trim();
  return new AbortError(
    `Aborted because another operation failed (${what}). See \`cause\`; pass \`returnExceptions: true\` to let the others finish.`,
    { cause: failure },
  );
}

/** `TypeError` with code `ERR_INVALID_ARG_VALUE` (the type is right, the value is not), worded like Node core. */
export function invalidArgValue(name: string, expected: string, actual: unknown): CodedError<TypeError> {
  const kind = name.includes('.') ? 'property' : 'argument';
  return Object.assign(
    new TypeError(`The ${kind} '${name}' must be ${expected}.${describeReceived(actual)}`),
    { code: 'ERR_INVALID_ARG_VALUE' },
  );
}

/**
 * An operation did not settle within the per-operation `timeout` of {@link gather}, {@link map} or
 * {@link mapStream}. It is both the reason its `signal` is aborted with (so a fetch or timer below stops) and
 * that operation's failure: `gather`/`map` reject with it, or, with `returnExceptions: true`, it takes the
 * operation's place in the results. If the operation fails with a real error after the deadline (not the
 * cancellation), that error becomes this one's `cause`.
 *
 * One identity with the `TimeoutError` of `@x/timeout` and the pools: `instanceof` either holds for both.
 *
 * @example
 * ```ts
 * const pages = await map(urls, (url, { signal }) => fetch(url, { signal }), { timeout: 5000, returnExceptions: true });
 * const slow = pages.filter((page) => page instanceof TimeoutError);
 * ```
 * Like the `TimeoutError` of Python's `asyncio.wait_for` around each item.
 */
export class TimeoutError extends Error {
  static {
    brandErrorClass(this, 'ERR_X_TIMEOUT');
  }

  override readonly name = 'TimeoutError';
  readonly code = 'ERR_X_TIMEOUT';
  /** The per-operation time limit that passed, in milliseconds. */
  readonly ms: number;

  constructor(ms: number, message?: string, options?: { cause?: unknown }) {
    super(
      message ??
        `The operation did not settle within its timeout of ${ms} ms (options.timeout), so its signal was aborted.`,
      options,
    );
    this.ms = ms;
  }

  /** The same as `ms`, under the name the pools' `TimeoutError` uses (the classes are one identity). */
  get timeout(): number {
    return this.ms;
  }
}

/** The reason given to the losers of `race`/`any` once the outcome is known. */
export function abortedByWinner(api: 'race' | 'any', index: number): AbortError {
  return new AbortError(
    api === 'race'
      ? `Aborted because operation ${index} settled first in race().`
      : `Aborted because operation ${index} fulfilled first in any().`,
  );
}
