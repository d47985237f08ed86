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
