import { type AbortSubscription, isCancellation, onAbort } from '@x/internal';
import { TimeoutError } from './errors.js';
import { isThenable } from './validate.js';

/**
 * Counts the function operations a call has started and that have not really settled yet, for `waitForStop`:
 * a call that gives up on its operations aborts them at once, but settles only when this count reaches zero.
 * Promises passed directly are never counted: nothing can stop them, so there is nothing to wait for.
 */
export class Running {
  count = 0;
  #waiters: Array<() => void> = [];

  enter(): void {
    this.count++;
  }

  readonly leave = (): void => {
    if (--this.count === 0 && this.#waiters.length > 0) {
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const fn of waiters) fn();
    }
  };

  /** Calls `fn` now if nothing is running, else as soon as the last operation settles. */
  whenIdle(fn: () => void): void {
    if (this.count === 0) fn();
    else this.#waiters.push(fn);
  }

  /** Resolves when nothing is running. */
  readonly idle = (): Promise<void> => new Promise((resolve) => this.whenIdle(resolve));
}

/** `setTimeout` fires at once above this (Node warns and uses 1 ms), so longer deadlines are re-armed. */
const MAX_DELAY = 2 ** 31 - 1;

/**
 * Calls `call` with a signal of its own, linked to `parent`, under a deadline of `ms`: at the deadline that signal
 * is aborted with a {@link TimeoutError} and the returned promise rejects with it, while the operation stops in the
 * background (counted by `running` until it really settles). Aborting `parent` aborts the operation with
 * `parent.reason` and drops the deadline. A synchronous result or throw is returned or thrown as is.
 */
export function callWithTimeout(
  call: (signal: AbortSignal) => unknown,
  parent: AbortSignal,
  ms: number,
  running: Running | undefined,
): unknown {
  const controller = new AbortController();
  const value = call(controller.signal);
  if (!isThenable(value)) return value;
  return new Deadline(value, controller, parent, ms, running).promise;
}

/** A promise passed directly, under a deadline: it cannot be stopped, only given up on. */
export function promiseWithTimeout(
  promise: PromiseLike<unknown>,
  parent: AbortSignal,
  ms: number,
): Promise<unknown> {
  return new Deadline(promise, undefined, parent, ms, undefined).promise;
}

/** Counts one function operation in `running` until it settles, whatever way it ends. */
export function callCounted(
  call: (signal: AbortSignal) => unknown,
  signal: AbortSignal,
  running: Running,
): unknown {
  running.enter();
  let value: unknown;
  try {
    value = call(signal);
  } catch (error) {
    running.leave();
    throw error;
  }
  if (!isThenable(value)) {
    running.leave();
    return value;
  }
  const leave = running.leave;
  return Promise.resolve(value).then(
    (result) => {
      leave();
      return result;
    },
    (error: unknown) => {
      leave();
      throw error;
    },
  );
}

class Deadline {
  readonly promise: Promise<unknown>;
  #resolve!: (value: unknown) => void;
  #reject!: (reason: unknown) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #subscription: AbortSubscription | undefined;
  #error: TimeoutError | undefined;
  #settled = false;

  constructor(
    pending: PromiseLike<unknown>,
    readonly controller: AbortController | undefined,
    parent: AbortSignal,
    readonly ms: number,
    readonly running: Running | undefined,
  ) {
    this.promise = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    if (controller !== undefined) running?.enter();
    if (parent.aborted) this.handleAbort(parent.reason);
    else {
      this.#subscription = onAbort(parent, this);
      this.#arm(ms);
    }
    Promise.resolve(pending).then(
      (value) => this.#done(true, value),
      (error: unknown) => this.#done(false, error),
    );
  }

  #arm(ms: number): void {
    this.#timer = setTimeout(
      () => (ms > MAX_DELAY ? this.#arm(ms - MAX_DELAY) : this.#expire()),
      Math.min(ms, MAX_DELAY),
    );
  }

  #expire(): void {
    this.#timer = undefined;
    if (this.#settled) return;
    this.#settled = true;
    this.#subscription?.unsubscribe();
    const error = (this.#error = new TimeoutError(this.ms));
    this.controller?.abort(error);
    this.#reject(error);
  }

  /** The caller gave up on this operation: pass the abort on, and its deadline no longer matters. */
  handleAbort(reason: unknown): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.controller?.abort(reason);
  }

  #done(ok: boolean, value: unknown): void {
    if (this.controller !== undefined) this.running?.leave();
    if (this.#settled) {
      // Too late to be the outcome; a real failure while stopping is kept as the TimeoutError's cause.
      const error = this.#error;
      if (!ok && error !== undefined && !isCancellation(value, error) && error.cause === undefined)
        Object.defineProperty(error, 'cause', { value, configurable: true, writable: true });
      return;
    }
    this.#settled = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#subscription?.unsubscribe();
    if (ok) this.#resolve(value);
    else this.#reject(value);
  }
}
