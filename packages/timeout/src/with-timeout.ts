import { type AbortSubscription, onAbort } from '@x/internal';
import { type Bucket, type Deadline, now, schedule, unschedule } from './deadline-queue.js';
import { TimeoutError } from './errors.js';
import type { Operation } from './operation.js';
import {
  describeReceived,
  isThenable,
  validateMs,
  validateObject,
  validateOperation,
  validateSignal,
} from './validate.js';

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
}

const noop = () => {};

/**
 * Resolves or rejects like `op`; if `op` has not settled after `ms` milliseconds, aborts the signal handed to
 * `op` (with the `TimeoutError` as reason, so a `fetch`, timer or thread below really stops) and rejects with
 * a {@link TimeoutError} (or resolves with `options.fallback`).
 *
 * `ms = Infinity` means no deadline. `ms = 0` means no time to wait, like asyncio's `timeout <= 0`: an
 * operation that is already done (a function that returns a value, a promise that settles without waiting for
 * I/O or a timer) still wins; anything else times out on the next turn of the event loop. The deadline is
 * dropped the moment `op` settles, and the listener on `options.signal` is removed.
 *
 * Throws synchronously a `TypeError`/`RangeError` for a negative, NaN or non-number `ms`, an `op` that is
 * neither a promise nor a function, or bad options. A function `op` that throws synchronously rejects.
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
  if (options !== undefined) {
    validateObject(options, 'options');
    signal = options.signal;
    validateSignal(signal, 'options.signal');
    const message = options.message;
    if (message !== undefined && typeof message !== 'string') {
      throw new TypeError(
        `The "options.message" property must be of type string.${describeReceived(message)}`,
      );
    }
    if (signal?.aborted) {
      // The caller gave up before we started: a function is not called, a promise's outcome is ignored.
      if (typeof op !== 'function') op.then(undefined, noop);
      return Promise.reject(signal.reason);
    }
  }
  const at = now() + ms;
  const job = new TimeoutJob<T, F>(ms, options);
  let pending: PromiseLike<T>;
  if (typeof op === 'function') {
    const controller = new AbortController();
    job.controller = controller;
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
  const promise = new Promise<T | F>((resolve, reject) => {
    job.resolve = resolve;
    job.reject = reject;
  });
  if (ms !== Number.POSITIVE_INFINITY) schedule(job, at, true);
  if (signal !== undefined) {
    job.subscription = onAbort(signal, job);
    // The operation itself may have aborted the caller's signal while it started.
    if (signal.aborted) job.handleAbort(signal.reason);
  }
  try {
    pending.then(
      (value) => job.fulfil(value),
      (error) => job.fail(error),
    );
  } catch (error) {
    // A thenable whose `then` throws fails like a rejected promise, and its deadline is dropped.
    job.fail(error);
  }
  return promise;
}

/** One pending `withTimeout`: its deadline, its caller-signal listener (`handleAbort`) and its settlement. */
class TimeoutJob<T, F> implements Deadline {
  _bucket: Bucket | null = null;
  _slot = 0;
  _ref = true;
  settled = false;
  resolve: (value: T | F | PromiseLike<T | F>) => void = noop;
  reject: (reason: unknown) => void = noop;
  controller: AbortController | undefined = undefined;
  subscription: AbortSubscription | undefined = undefined;
  name = '';

  constructor(
    readonly ms: number,
    readonly options: WithTimeoutOptions<F> | undefined,
  ) {}

  fulfil(value: T): void {
    if (this.settled) return;
    this.finish();
    this.resolve(value);
  }

  fail(error: unknown): void {
    if (this.settled) return;
    this.finish();
    this.reject(error);
  }

  private finish(): void {
    this.settled = true;
    unschedule(this);
    this.subscription?.unsubscribe();
  }

  _expire(): void {
    if (this.settled) return;
    this.settled = true;
    this.subscription?.unsubscribe();
    const options = this.options;
    const what = this.name ? `"${this.name}"` : 'The operation';
    const error = new TimeoutError(
      this.ms,
      options?.message ??
        `${what} timed out after ${this.ms} ms and its signal was aborted. ` +
          'Give it more time, or pass `fallback` to resolve with a value instead.',
    );
    this.controller?.abort(error);
    const fallback = options?.fallback;
    if (fallback === undefined) {
      this.reject(error);
    } else if (typeof fallback === 'function') {
      try {
        this.resolve((fallback as (error: TimeoutError) => F | PromiseLike<F>)(error));
      } catch (fallbackError) {
        this.reject(fallbackError);
      }
    } else {
      this.resolve(fallback);
    }
  }

  /** The caller's signal aborted: pass its reason through unchanged. */
  handleAbort(reason: unknown): void {
    if (this.settled) return;
    this.finish();
    this.controller?.abort(reason);
    this.reject(reason);
  }
}
