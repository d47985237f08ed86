import { invalidArgType, isThenable, outOfRange, WaitList, type WaitNode } from '@x/internal';
import { type CapturedContext, captureContext } from './async-context.js';
import { AbortError, timeoutError } from './errors.js';
import { neverAborted } from './never-signal.js';
import { RateWindow } from './rate-window.js';
import { ownOptions, validateObject, validateWaitOptions } from './validate.js';
import type { WaitOptions } from './wait-options.js';

/** What `limit()` accepts besides the concurrency. */
export interface LimitOptions {
  /**
   * Start at most `limit` calls in any `interval` ms (a sliding window), on top of the concurrency limit:
   * what third-party APIs with a request rate need.
   *
   * @example
   * ```ts
   * const lim = limit(4, { rate: { limit: 10, interval: 1000 } }); // 4 at once, 10 per second
   * ```
   * @default undefined (no rate limit)
   */
  rate?: { limit: number; interval: number } | undefined;
}

/**
 * A limiter made by {@link limit}: call it with a function to run it when a slot is free.
 */
export interface LimitFunction {
  /**
   * Runs `fn(signal)` as soon as fewer than `concurrency` calls run (and the rate allows), in call order,
   * and settles like it. `signal` is `options.signal` itself (a signal that never aborts without one), so
   * aborting it stops the running work; while still queued, the call leaves the queue at once and rejects
   * with the signal's reason (or with a `TimeoutError` after `options.timeout` ms), never having started.
   */
  <T>(fn: (signal: AbortSignal) => T | PromiseLike<T>, options?: WaitOptions): Promise<Awaited<T>>;
  /** Calls running now. */
  readonly activeCount: number;
  /** Calls queued now (aborted and timed-out ones have left). */
  readonly pendingCount: number;
  /**
   * The limit, settable while running: raising it starts queued calls at once; lowering it lets running
   * calls finish and starts no more until fewer than the new limit run.
   */
  concurrency: number;
  /** Rejects every queued call with `reason` (an `AbortError` by default); running calls are untouched. */
  clearQueue(reason?: unknown): void;
}

type Fn = (signal: AbortSignal) => unknown;

/** A queued call: the function and the async context it was queued in. */
class Call {
  constructor(
    readonly fn: Fn,
    readonly context: CapturedContext | undefined,
  ) {}
}

function validateConcurrency(value: unknown, name: string): asserts value is number {
  if (typeof value !== 'number') throw invalidArgType(name, 'of type number', value);
  if (!((Number.isInteger(value) || value === Number.POSITIVE_INFINITY) && value >= 1)) {
    throw outOfRange(name, 'an integer >= 1 or Infinity', value);
  }
}

function validateRate(rate: unknown): asserts rate is LimitOptions['rate'] {
  if (rate === undefined) return;
  validateObject(rate, 'options.rate');
  const { limit, interval } = rate as { limit: unknown; interval: unknown };
  if (typeof limit !== 'number') throw invalidArgType('options.rate.limit', 'of type number', limit);
  if (!(Number.isInteger(limit) && limit >= 1))
    throw outOfRange('options.rate.limit', 'an integer >= 1', limit);
  if (typeof interval !== 'number') throw invalidArgType('options.rate.interval', 'of type number', interval);
  if (!(interval > 0 && Number.isFinite(interval))) {
    throw outOfRange('options.rate.interval', 'a finite number of milliseconds > 0', interval);
  }
}

/**
 * Makes a limiter shared by a whole service: at most `concurrency` of the functions given to it run at once,
 * the others wait in call order, each cancellable by its own signal and bounded by its own timeout.
 *
 * @param concurrency an integer `>= 1`, or `Infinity`; settable later as `lim.concurrency`.
 * @throws {TypeError|RangeError} at once for a bad `concurrency` or `options.rate`.
 * @example
 * ```ts
 * const lim = limit(4);
 * app.get('/report', (req) => lim((signal) => fetch(upstream, { signal }), { signal: req.signal, timeout: 5000 }));
 * ```
 * asyncio has no single name for it: it is `async with semaphore:` around each call, with a queue you can see.
 */
export function limit(concurrency: number, options?: LimitOptions): LimitFunction {
  validateConcurrency(concurrency, 'concurrency');
  options = ownOptions(options, 'options');
  const rate = ownOptions(options?.rate, 'options.rate');
  validateRate(rate);
  let max = concurrency;
  let active = 0;
  let draining = false;
  let rateTimer: ReturnType<typeof setTimeout> | undefined;
  const queue = new WaitList<unknown, Call>(timeoutError);
  const window = rate === undefined ? undefined : new RateWindow(rate.limit, rate.interval);

  const finish = () => {
    active--;
    if (queue.size > 0) drain();
  };
  const onValue = (value: unknown) => {
    finish();
    return value;
  };
  const onError = (error: unknown) => {
    finish();
    throw error;
  };

  /** Starts `fn` in a slot already counted in `active`; the promise settles like it, after the slot is freed. */
  const start = (fn: (signal: AbortSignal) => unknown, signal: AbortSignal): Promise<unknown> => {
    window?.record();
    let result: unknown;
    try {
      result = fn(signal);
    } catch (error) {
      finish();
      return Promise.reject(error);
    }
    if (!isThenable(result)) {
      finish();
      return Promise.resolve(result);
    }
    return Promise.resolve(result).then(onValue, onError);
  };

  /** `start` for a queued call: settles the caller's promise directly, one promise fewer per call. */
  const startQueued = (fn: Fn, signal: AbortSignal, node: WaitNode<unknown, Call>): void => {
    window?.record();
    let result: unknown;
    try {
      result = fn(signal);
    } catch (error) {
      finish();
      node.reject(error);
      return;
    }
    if (!isThenable(result)) {
      finish();
      node.resolve(result);
      return;
    }
    Promise.resolve(result).then(
      (value) => {
        finish();
        node.resolve(value);
      },
      (error) => {
        finish();
        node.reject(error);
      },
    );
  };

  const drain = () => {
    // A loop, not recursion: synchronous functions finishing inside start() would otherwise nest one stack
    // frame per queued call.
    if (draining) return;
    draining = true;
    try {
      while (active < max && queue.size > 0) {
        if (window !== undefined && !window.allows()) {
          if (rateTimer === undefined) {
            rateTimer = setTimeout(() => {
              rateTimer = undefined;
              drain();
            }, window.wait());
          }
          return;
        }
        active++;
        const node = queue.shift()!;
        const { fn, context } = node.data;
        const signal = node.signal ?? neverAborted;
        if (context === undefined) startQueued(fn, signal, node);
        else context.runInAsyncScope(startQueued, undefined, fn, signal, node);
      }
    } finally {
      draining = false;
    }
  };

  const lim = (<T>(fn: (signal: AbortSignal) => T | PromiseLike<T>, callOptions?: WaitOptions) => {
    if (typeof fn !== 'function') throw invalidArgType('fn', 'a function (signal) => value', fn);
    let signal = neverAborted;
    if (callOptions !== undefined) {
      callOptions = ownOptions(callOptions, 'options');
      validateWaitOptions(callOptions, 'options');
      if (callOptions.signal !== undefined) {
        signal = callOptions.signal;
        if (signal.aborted) return Promise.reject(signal.reason);
      }
    }
    if (active < max && queue.size === 0 && (window === undefined || window.allows())) {
      active++;
      return start(fn, signal);
    }
    const pending = queue.add(new Call(fn, captureContext()), callOptions);
    if (window !== undefined && active < max) drain(); // arms the rate timer
    return pending;
  }) as LimitFunction;

  Object.defineProperties(lim, {
    activeCount: { get: () => active, enumerable: true },
    pendingCount: { get: () => queue.size, enumerable: true },
    concurrency: {
      get: () => max,
      set: (value: unknown) => {
        validateConcurrency(value, 'concurrency');
        max = value;
        drain();
      },
      enumerable: true,
    },
    clearQueue: {
      value: (
        reason: unknown = new AbortError("The limiter's queue was cleared before this call started."),
      ) => {
        queue.rejectAll(reason);
        if (rateTimer !== undefined) {
          clearTimeout(rateTimer);
          rateTimer = undefined;
        }
      },
    },
  });
  return lim;
}
