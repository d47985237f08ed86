/**
 * Node core's codes for a bad argument: an error carrying one says the call was wrong, and the same call
 * will be wrong again.
 */
const ARGUMENT_CODES = new Set([
  'ERR_INVALID_ARG_TYPE',
  'ERR_INVALID_ARG_VALUE',
  'ERR_OUT_OF_RANGE',
  'ERR_MISSING_ARGS',
  'ERR_INVALID_URL',
]);

/**
 * The default `retryIf`: retry every error except those no retry can fix.
 *
 * - an `AbortError` (by `name`: the DOM's, Node's, @x's, p-retry's): someone cancelled the work on purpose;
 * - a `TypeError` or `RangeError` from bad arguments, recognised by Node core's argument codes
 *   (`ERR_INVALID_ARG_TYPE`, `ERR_INVALID_ARG_VALUE`, `ERR_OUT_OF_RANGE`, `ERR_MISSING_ARGS`,
 *   `ERR_INVALID_URL`), which every @x package and Node itself use. Other `TypeError`s are retried: `fetch`
 *   reports a network failure as `TypeError: fetch failed`.
 *
 * A `TimeoutError` is retried (an attempt's own time limit passed, the next attempt may be faster), except
 * the caller's own deadline: retry never retries once the signal it was given has aborted, whatever
 * `retryIf` says, so that rule needs no predicate.
 *
 * @example
 * ```ts
 * await retry(op, { retryIf: (error) => defaultRetryIf(error) && !(error instanceof NotFoundError) });
 * ```
 * Like tenacity's `retry_if_exception` with a predicate, where the default retries every exception.
 */
export function defaultRetryIf(error: unknown): boolean {
  if (error === null || typeof error !== 'object') return true;
  const { name, code } = error as { name?: unknown; code?: unknown };
  if (name === 'AbortError') return false;
  // By name, not instanceof: an error from another realm (a vm context, a worker's copy) counts too.
  if ((name === 'TypeError' || name === 'RangeError') && typeof code === 'string') {
    return !ARGUMENT_CODES.has(code);
  }
  return true;
}
