import { isThenable, wantsSignal } from '@x/internal';
import { backoffDelay } from './backoff.js';
import { deadlineOf, now } from './deadline.js';
import { defaultRetryIf } from './default-retry-if.js';
import { TimeoutError } from './errors.js';
import { defaults, type RetryOptions, validateRetryArgs } from './options.js';
import { wait } from './wait.js';

/**
 * What {@link retry} runs: called once per attempt with the signal to honour and the attempt's number (1 for
 * the first). A function is required, not a promise: a promise is work already running, which cannot be run
 * again.
 */
export type RetryOperation<T> = (signal: AbortSignal, attempt: number) => T | PromiseLike<T>;

let idle: AbortSignal | undefined;
/** A signal nothing ever aborts, for operations that take no argument. */
const idleSignal = (): AbortSignal => (idle ??= new AbortController().signal);

/** At most this many attempt errors are kept for `errors` (the most recent), so `retries: Infinity` stays bounded. */
const MAX_KEPT_ERRORS = 100;

/**
 * Calls `op(signal, attempt)` until it fulfils, then resolves with its value. When an attempt fails, waits
 * (exponential backoff with full jitter by default) and tries again, until an error is not retryable
 * (`options.retryIf`, by default {@link defaultRetryIf}), or the `retries` are spent: then rejects with the
 * last attempt's error, which carries every attempt's error in a non-enumerable `errors` array.
 *
 * `options.signal` is handed to every attempt: aborting it aborts the running attempt and ends the delay at
 * once, and retry rejects with `signal.reason`, unchanged. When that signal carries a deadline (a `@x/timeout`
 * scope's or `withTimeout`'s signal, see the README's "Deadlines"), retry never starts a delay or an attempt
 * that would end past it: it rejects at once with a {@link TimeoutError} (one class with `@x/timeout`'s) whose
 * `cause` is the last attempt's error, instead of sleeping into the deadline.
 *
 * The first attempt starts synchronously, inside the call. Throws synchronously a `TypeError`/`RangeError`
 * (with Node core's `code`, naming the argument) for an `op` that is not a function or a bad option.
 *
 * @example
 * ```ts
 * using scope = timeoutScope(2000); // the whole request gets 2 s, retries included
 * const user = await retry((signal) => fetchJson(`/users/${id}`, signal), {
 *   signal: scope.signal,
 *   onRetry: (error, attempt, delay) => console.warn(`attempt ${attempt} failed, retrying in ${delay} ms`, error),
 * });
 * ```
 * Like Python's tenacity `@retry(stop=stop_after_attempt(4), wait=wait_random_exponential(...))`.
 */
export function retry<T>(op: RetryOperation<T>, options?: RetryOptions): Promise<T> {
  return run(op, validateRetryArgs(op, options));
}

async function run<T>(op: RetryOperation<T>, options: RetryOptions | undefined): Promise<T> {
  const signal = options?.signal;
  // Without the caller's signal, one that nothing aborts: made per call (so a listener an attempt forgets to
  // remove dies with it), except for an `op` that declares no parameter and so cannot read it, which gets a
  // shared one (an AbortSignal costs a few microseconds on Node 20, more than the rest of the call).
  const attemptSignal = signal ?? (wantsSignal(op) ? new AbortController().signal : idleSignal());
  // When retry began, for the TimeoutError's `ms`; read only once a deadline exists (performance.now() is not
  // free, and a call without a deadline never needs it).
  let startedAt = Number.NaN;
  let errors: unknown[] | undefined;
  for (let attempt = 1; ; attempt++) {
    if (signal !== undefined) startedAt = beforeAttempt(signal, attempt, startedAt, errors);
    try {
      return await op(attemptSignal, attempt);
    } catch (error) {
      // The caller gave up (its deadline included): its reason, not what the stopped attempt made of it.
      if (signal?.aborted) throw signal.reason;
      errors ??= [];
      if (errors.push(error) > MAX_KEPT_ERRORS) errors.shift();
      if (attempt > (options?.retries ?? defaults.retries)) throw withErrors(error, errors);
      let again: unknown = options?.retryIf ? options.retryIf(error, attempt) : defaultRetryIf(error);
      if (isThenable(again)) {
        again = await again;
        if (signal?.aborted) throw signal.reason;
      }
      if (!again) throw withErrors(error, errors);
      const delay = backoffDelay(attempt, options);
      refuseIfPastDeadline(signal, delay, attempt, startedAt, errors);
      const onRetry = options?.onRetry;
      if (onRetry !== undefined) {
        const pending = onRetry(error, attempt, delay);
        if (isThenable(pending)) {
          await pending;
          if (signal?.aborted) throw signal.reason;
          refuseIfPastDeadline(signal, delay, attempt, startedAt, errors);
        }
      }
      await wait(delay, signal);
    }
  }
}

/**
 * Throws instead of starting attempt number `attempt` if the caller has aborted (its reason) or the deadline
 * of its signal has passed (a TimeoutError). Returns when retry started, on the deadline clock: `startedAt`,
 * or now if that is still unknown and a deadline exists (the clock is read only under a deadline).
 */
function beforeAttempt(
  signal: AbortSignal,
  attempt: number,
  startedAt: number,
  errors: unknown[] | undefined,
): number {
  if (signal.aborted) throw signal.reason;
  const deadline = deadlineOf(signal);
  if (deadline === Number.POSITIVE_INFINITY) return startedAt;
  const t = now();
  if (Number.isNaN(startedAt)) startedAt = t;
  if (t < deadline) return startedAt;
  throw new TimeoutError(
    Math.round(deadline - startedAt),
    `retry() did not start attempt ${attempt}: the deadline of the signal it was given has passed` +
      `${attempt > 1 ? ` after ${attempt - 1} failed attempt(s)` : ''}. ` +
      'Give the enclosing scope more time, or catch TimeoutError.',
    errors ?? [],
    errors === undefined ? undefined : { cause: errors[errors.length - 1] },
  );
}

/** Throws the refusal when waiting `delay` ms from now would reach the signal's deadline. */
function refuseIfPastDeadline(
  signal: AbortSignal | undefined,
  delay: number,
  attempt: number,
  startedAt: number,
  errors: unknown[],
): void {
  const deadline = deadlineOf(signal);
  if (deadline === Number.POSITIVE_INFINITY) return;
  const t = now();
  const left = deadline - t;
  if (delay < left) return;
  throw new TimeoutError(
    // A deadline that appeared only after the first attempt (a rescheduled scope) counts from now.
    Math.round(deadline - (Number.isNaN(startedAt) ? t : startedAt)),
    `retry() gave up after attempt ${attempt} failed: the next delay of ${Math.round(delay)} ms would end past ` +
      `the deadline of the signal it was given (${Math.max(0, Math.round(left))} ms left), so it did not sleep ` +
      'into it. The last error is the cause. Give the enclosing scope more time, or lower minDelay/maxDelay.',
    errors.slice(),
    { cause: errors[errors.length - 1] },
  );
}

/** Attempt errors already given an `errors` list by us (which we may replace when the same error recurs). */
const annotated = new WeakSet<object>();

/**
 * Gives `error` a non-enumerable `errors`: every attempt's error, in order (itself last). Left alone when it
 * cannot take one: a primitive, a frozen error, or one with an `errors` of its own (an `AggregateError`).
 */
function withErrors(error: unknown, errors: unknown[]): unknown {
  if (
    error !== null &&
    (typeof error === 'object' || typeof error === 'function') &&
    Object.isExtensible(error) &&
    (!Object.hasOwn(error, 'errors') || annotated.has(error))
  ) {
    try {
      Object.defineProperty(error, 'errors', { value: errors, writable: true, configurable: true });
      annotated.add(error);
    } catch {
      // A proxy may refuse; the error itself still reaches the caller.
    }
  }
  return error;
}
