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
  override readonly name = 'AbortError';
  readonly code = 'ERR_X_ABORTED';

  constructor(message = 'The operation was aborted.', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The reason given to the other operations when one fails in fail-fast mode. */
export function abortedBySibling(failure: unknown): AbortError {
  const what = failure instanceof Error ? `${failure.name}: ${failure.message}` : describeReceived(failure);
  return new AbortError(
    `Aborted because another operation failed (${what}). See \`cause\`; pass \`returnExceptions: true\` to let the others finish.`,
    { cause: failure },
  );
}

type CodedError<E extends Error> = E & { code: string };

function coded<E extends Error>(error: E, code: string): CodedError<E> {
  return Object.assign(error, { code });
}

/** `TypeError` with code `ERR_INVALID_ARG_TYPE`, worded like Node core. */
export function invalidArgType(name: string, expected: string, actual: unknown): CodedError<TypeError> {
  const kind = name.includes('.') ? 'property' : 'argument';
  return coded(
    new TypeError(`The "${name}" ${kind} must be ${expected}. ${describeReceived(actual)}`),
    'ERR_INVALID_ARG_TYPE',
  );
}

/** `RangeError` with code `ERR_OUT_OF_RANGE`, worded like Node core. */
export function outOfRange(name: string, range: string, actual: unknown): CodedError<RangeError> {
  return coded(
    new RangeError(`The value of "${name}" is out of range. It must be ${range}. Received ${String(actual)}`),
    'ERR_OUT_OF_RANGE',
  );
}

/** `TypeError` with code `ERR_INVALID_ARG_VALUE`, worded like Node core. */
export function invalidArgValue(name: string, expected: string, actual: unknown): CodedError<TypeError> {
  const kind = name.includes('.') ? 'property' : 'argument';
  return coded(
    new TypeError(`The ${kind} '${name}' must be ${expected}. ${describeReceived(actual)}`),
    'ERR_INVALID_ARG_VALUE',
  );
}

/** Node core's "Received ..." phrase: `Received type number (1)`, `Received null`, `Received an instance of Map`. */
export function describeReceived(value: unknown): string {
  if (value === null) return 'Received null';
  if (value === undefined) return 'Received undefined';
  if (typeof value === 'function') return `Received function ${value.name || '<anonymous>'}`;
  if (typeof value === 'object') {
    const name = (value as object).constructor?.name;
    return name ? `Received an instance of ${name}` : 'Received an object with a null prototype';
  }
  let shown = typeof value === 'string' ? `'${value}'` : String(value);
  if (shown.length > 28) shown = `${shown.slice(0, 25)}...`;
  return `Received type ${typeof value} (${shown})`;
}
