import {
  type AbortSubscription,
  invalidArgType,
  isCancellation,
  onAbort,
  validateOptionNames,
} from '@x/internal';
import { type Bucket, type Deadline, now, schedule, unschedule } from './deadline-queue.js';
import { TimeoutError, timerTimeoutError } from './errors.js';
import type { Operation } from './operation.js';
import { publishDeadline } from './signal-deadline.js';
import { isThenable, ownOptions, validateMs, validateOperation, validateSignal } from './validate.js';

/** Options of {@link withTimeout}; `F` is the type of the fallback value. */
export interface WithTimeoutOptions<F = never> {
  /**
   * Cancels the wait (and aborts the operation's signal) when aborted; the promise rejects with
   * `signal.reason`, unchanged. If it is already aborted, a function `op` is never called.
   * @default undefined
   */
  signal?: AbortSignal;
  /**
   * Resolve with this instead of rejecting when the deadline passes. A function is called with the
   * `TimeoutError` and its result (or promise) is used; if it throws, the promise rejects with that. The
   * operation's signal is aborted either way. `undefined` means no fallback (use `() => undefined`).
   * @default undefined
   */
  fallback?: F | ((error: TimeoutError) => F | PromiseLike<F>);
  /**
   * The message of the `TimeoutError`.
   * @default 'The operation timed out after <ms> ms and its signal was aborted. ...'
   */
  message?: string;
  /**
   * Settle only once the operation has stopped, like `asyncio.wait_for`: at the deadline (or when
   * `options.signal` aborts) its signal is aborted as usual, but the promise waits for the operation to
   * settle, and then rejects with the `TimeoutError` (or resolves with `fallback`) if it stopped because of
   * the signal, resolves with its value if it finished anyway, or rejects with its error if it failed with
   * something else while stopping. So nothing the operation holds (a connection, a lock, a file) is still in
   * use when you see the `TimeoutError`. Only for a function `op`: a promise cannot be stopped. An operation
   * that ignores its signal is waited for to the end, so the deadline then bounds nothing; that is why this
   * is not the default.
   *
   * @example
   * ```ts
   * await withTimeout(500, (signal) => conn.query(sql, { signal }), { waitForStop: true });
   * // on TimeoutError, the query has stopped: `conn` is free to reuse
   * ```
   * @default false
   */
  waitForStop?: boolean;
}

const noop = () => {};
const OPTION_NAMES = ['signal', 'fallback', 'message', 'waitForStop'];

/**
 * Resolves or rejects like `op`; if `op` has not settled after `ms` milliseconds, aborts the signal handed to
 * `op` (with the `TimeoutError` as reason, so a `fetch`, timer or thread below really stops) and rejects with
 * a {@link TimeoutError} (or resolves with `options.fallback`) at once, while `op` stops in the background;
 * with `options.waitForStop`, only once `op` has stopped, as asyncio does. If a function `op` fails with a
 * real error after the deadline (not the cancellation), that error becomes the `TimeoutError`'s `cause`.
 *
 * `ms = Infinity` means no deadline. `ms = 0` means no time to wait, like asyncio's `timeout <= 0`: an
 * operation that is already done (a function that returns a value, a promise that settles without waiting for
 * I/O or a timer) still wins; anything else times out on the next turn of the event loop. The deadline is
 * dropped the moment `op` settles, and the listener on `options.signal` is removed.
 *
 * Throws synchronously a `TypeError`/`RangeError` for a negative, NaN or non-number `ms`, an `op` that is
 * neither a promise nor a function, or bad or unknown options. A function `op` that throws synchronously
 * rejects. An error of `op` keeps the caller's async stack trace (`at async yourFunction`).
 *
 * @example
 * ```ts
 * const user = await withTimeout(3000, (signal) => fetch('https://example.com/user', { signal }));
 * const cached = await withTimeout(100, (signal) => lookup(key, signal), { fallback: null });
 * ```
 * Like Python's `asyncio.wait_for(aw, timeout)`.
 */
export function withTimeout<T, F = never>(
  ms: number,
  op: Operation<T>,
  options?: WithTimeoutOptions<F>,
): Promise<T | F> {
  validateMs(ms, 'ms');
  validateOperation(op, 'op');
  let signal: AbortSignal | undefined;
  let waitForStop = false;
  if (options !== undefined) {
    options = ownOptions(options, 'options');
    validateOptionNames(options, OPTION_NAMES, 'options');
    signal = options.signal;
    validateSignal(signal, 'options.signal');
    const message = options.message;
    if (message !== undefined && typeof message !== 'string') {
      throw invalidArgType('options.message', 'of type string', message);
    }
    if (options.waitForStop !== undefined) {
      if (typeof options.waitForStop !== 'boolean')
        throw invalidArgType('options.waitForStop', 'of type boolean', options.waitForStop);
      waitForStop = options.waitForStop;
      if (waitForStop && typeof op !== 'function')
        throw new TypeError(
          'The "options.waitForStop" property needs a function "op": a promise cannot be stopped, so waiting ' +
            'for it to stop would wait for it to finish. Pass (signal) => work(signal) instead.',
        );
    }
    if (signal?.aborted) {
      // The caller gave up before we started: a function is not called, a promise's outcome is ignored.
      if (typeof op !== 'function') op.then(undefined, noop);
      return Promise.reject(signal.reason);
    }
  }
  const at = now() + ms;
  const job = new TimeoutJob<T, F>(ms, options, waitForStop);
  let pending: PromiseLike<T>;
  if (typeof op === 'function') {
    const controller = new AbortController();
    job.controller = controller;
    publishDeadline(controller.signal, at, signal);
    job.name = op.name;
    let result: T | PromiseLike<T>;
    try {
      result = op(controller.signal);
    } catch (error) {
      return Promise.reject(error);
    }
    // Already done: no deadline to keep, nothing to abort.
    if (!isThenable(result)) return Promise.resolve(result);
    pending = result;
  } else {
    pending = op;
  }
  let resolve!: (value: T | F | PromiseLike<T | F>) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T | F>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  job.resolve = resolve;
  job.reject = reject;
  if (ms !== Number.POSITIVE_INFINITY) schedule(job, at, true);
  if (signal !== undefined) {
    job.subscription = onAbort(signal, job);
    // The operation itself may have aborted the caller's signal while it started.
    if (signal.aborted) job.handleAbort(signal.reason);
  }
  // One reaction on the operation, whose derived promise is settled into ours through our own resolve
  // functions: V8 follows exactly that chain (and not a closure that calls resolve) when it writes the async
  // stack trace of an error the operation throws, so the caller's `await` frames stay in `error.stack`.
  // `Promise.resolve` adopts a foreign thenable (one whose `then` throws rejects); a native promise is itself.
  const native = Promise.resolve(pending);
  native
    .then(
      (value) => job.onValue(value),
      (error) => job.onError(error),
    )
    .then(resolve as (value: unknown) => void, reject);
  return promise;
}

const PENDING = 0;
/** The deadline passed or the caller aborted with `waitForStop`: waiting for the operation to stop. */
const STOPPING = 1;
const SETTLED = 2;

/** One pending `withTimeout`: its deadline, its caller-signal listener (`handleAbort`) and its settlement. */
class TimeoutJob<T, F> implements Deadline {
  _bucket: Bucket | null = null;
  _slot = 0;
  _ref = true;
  state = PENDING;
  resolve: (value: T | F | PromiseLike<T | F>) => void = noop;
  reject: (reason: unknown) => void = noop;
  controller: AbortController | undefined = undefined;
  subscription: AbortSubscription | undefined = undefined;
  /** Why the operation is being stopped: the `TimeoutError`, or the caller's `signal.reason`. */
  stopReason: unknown = undefined;
  timedOut = false;
  name = '';

  constructor(
    readonly ms: number,
    readonly options: WithTimeoutOptions<F> | undefined,
    readonly waitForStop: boolean,
  ) {}

  /** The operation fulfilled; what we return settles our promise (ignored if it already has). */
  onValue(value: T): T | F | PromiseLike<T | F> | undefined {
    const state = this.state;
    if (state === SETTLED) return undefined;
    this.state = SETTLED;
    if (state === PENDING) this.dropListeners();
    // STOPPING: it finished anyway (it ignored or swallowed the cancellation); asyncio returns the value too.
    return value;
  }

  /** The operation rejected; what we return or throw settles our promise (ignored if it already has). */
  onError(error: unknown): T | F | PromiseLike<T | F> | undefined {
    const state = this.state;
    if (state === SETTLED) {
      // Too late to be the outcome: never lose a real failure after the deadline, make it the TimeoutError's cause.
      if (this.timedOut && !isCancellation(error, this.stopReason)) attachCause(this.stopReason, error);
      return undefined;
    }
    this.state = SETTLED;
    if (state === PENDING) {
      this.dropListeners();
      throw error;
    }
    // STOPPING (waitForStop): stopped because of the signal, or failed with something else while stopping.
    if (!isCancellation(error, this.stopReason)) throw error;
    if (this.timedOut) return this.timeoutOutcome(this.stopReason as TimeoutError);
    throw this.stopReason;
  }

  private dropListeners(): void {
    unschedule(this);
    this.subscription?.unsubscribe();
  }

  _expire(): void {
    if (this.state !== PENDING) return;
    this.subscription?.unsubscribe();
    const options = this.options;
    const what = this.name ? `"${this.name}"` : 'The operation';
    const error = timerTimeoutError(
      this.ms,
      options?.message ??
        `${what} timed out after ${this.ms} ms and its signal was aborted. ` +
          'Give it more time, or pass `fallback` to resolve with a value instead.',
    );
    this.stopReason = error;
    this.timedOut = true;
    if (this.waitForStop) {
      this.state = STOPPING;
      this.controller!.abort(error);
      return;
    }
    this.state = SETTLED;
    this.controller?.abort(error);
    // Without a fallback, reject directly: throwing through timeoutOutcome costs a throw and a catch per expiry.
    if (this.options?.fallback === undefined) {
      this.reject(error);
      return;
    }
    try {
      this.resolve(this.timeoutOutcome(error));
    } catch (fallbackError) {
      this.reject(fallbackError);
    }
  }

  /** What a deadline resolves or rejects with: the fallback if there is one, else the `TimeoutError`. */
  private timeoutOutcome(error: TimeoutError): F | PromiseLike<F> {
    const fallback = this.options?.fallback;
    if (fallback === undefined) throw error;
    if (typeof fallback === 'function')
      return (fallback as (error: TimeoutError) => F | PromiseLike<F>)(error);
    return fallback;
  }

  /** The caller's signal aborted: pass its reason through unchanged. */
  handleAbort(reason: unknown): void {
    if (this.state !== PENDING) return;
    this.dropListeners();
    this.stopReason = reason;
    if (this.waitForStop) {
      this.state = STOPPING;
      this.controller!.abort(reason);
      return;
    }
    this.state = SETTLED;
    this.controller?.abort(reason);
    this.reject(reason);
  }
}

/**
 * Records `error` as the `cause` of a `TimeoutError` already delivered. It may be read after the caller
 * caught the TimeoutError (logged later, or inspected by a retry), never earlier; a cause given by the
 * operation's author is kept.
 */
function attachCause(timeoutError: unknown, error: unknown): void {
  if (!(timeoutError instanceof TimeoutError) || 'cause' in timeoutError) return;
  Object.defineProperty(timeoutError, 'cause', { value: error, writable: true, configurable: true });
}
