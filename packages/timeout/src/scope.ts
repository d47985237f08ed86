import { type AbortSubscription, dispose, onAbort } from '@x/internal';
import { type Bucket, type Deadline, now, schedule, setRef, unschedule } from './deadline-queue.js';
import { AbortError, InvalidStateError, timerTimeoutError } from './errors.js';
import type { Operation } from './operation.js';
import { type DeadlineSource, registerDeadline, sourceOf } from './signal-deadline.js';
import {
  describeReceived,
  isThenable,
  ownOptions,
  validateMs,
  validateOperation,
  validateSignal,
} from './validate.js';

/** Options of {@link timeoutScope} and {@link deadlineScope}. */
export interface ScopeOptions {
  /**
   * The enclosing cancellation: when it aborts, the scope's signal aborts with the same reason (unchanged).
   * Passing another scope's `signal` nests this scope inside it: the earlier deadline wins, and `deadline`
   * reports it. Any AbortSignal works (e.g. the signal `withTimeout` or `scope.run` handed you).
   * @default undefined
   */
  signal?: AbortSignal;
}

/**
 * A deadline you can hand to any number of operations through its `signal`, move with `reschedule()`, and
 * end with `using` / `close()`. Returned by {@link timeoutScope} and {@link deadlineScope}. Using it after it
 * ended (`reschedule` after expiry or close, `run` after close) throws `InvalidStateError`.
 *
 * @example
 * ```ts
 * using scope = timeoutScope(1000);
 * const page = await scope.run((signal) => fetch(url, { signal }));
 * if (needsMore(page)) scope.reschedule(5000); // extend the budget while it has not expired
 * ```
 * Like Python's `asyncio.Timeout`.
 */
export interface TimeoutScope extends Disposable {
  /**
   * Aborted when the deadline passes (reason: a `TimeoutError`), when the enclosing `options.signal` aborts
   * (its reason, unchanged), or when the scope is closed while `run()` operations are pending (`AbortError`).
   */
  readonly signal: AbortSignal;
  /**
   * The effective deadline in epoch milliseconds (the `Date.now()` clock): the earlier of this scope's own and
   * any enclosing scope's. `Infinity` when there is none.
   */
  readonly deadline: number;
  /** True once this scope's own deadline has passed (not an enclosing one's). Like `Timeout.expired()`. */
  readonly expired: boolean;
  /**
   * Moves the deadline to `ms` milliseconds from now (`Infinity` removes it, `0` expires on the next loop
   * turn). Throws `InvalidStateError` if the scope has expired, was aborted or was closed, and
   * `TypeError`/`RangeError` for a bad `ms`. Like `Timeout.reschedule()`.
   */
  reschedule(ms: number): void;
  /**
   * Runs `op` under the scope: a function gets the scope's `signal`. Resolves like `op`; rejects with the
   * signal's reason as soon as it aborts (so with `TimeoutError` when the deadline passes). While a run is
   * pending the deadline keeps the process alive. Throws `InvalidStateError` after `close()`.
   */
  run<T>(op: Operation<T>): Promise<T>;
  /**
   * Ends the scope: drops its deadline and its listener on `options.signal`. If `run()` operations are still
   * pending they are aborted with `AbortError` (they cannot outlive the scope); otherwise the signal is left
   * as it is. Idempotent; `[Symbol.dispose]` calls it.
   */
  close(): void;
  [Symbol.dispose](): void;
}

/**
 * Opens a scope whose `signal` aborts with a {@link TimeoutError} `ms` milliseconds from now; pass that signal
 * to everything that should stop at the deadline, or start work with `scope.run(op)`. `ms = Infinity` means no
 * deadline (until `reschedule`), `ms = 0` expires on the next turn of the event loop. Nest scopes by passing
 * the outer `signal` as `options.signal`: the earliest deadline wins.
 *
 * An idle scope's timer does not keep the process alive (like `AbortSignal.timeout`); a pending `run()` does.
 * Throws synchronously a `TypeError`/`RangeError` for a negative, NaN or non-number `ms` or a bad signal.
 *
 * @example
 * ```ts
 * using scope = timeoutScope(3000);
 * const user = await fetch(userUrl, { signal: scope.signal }).then((r) => r.json());
 * const orders = await scope.run((signal) => fetchOrders(user.id, signal)); // same 3 s budget
 * ```
 * Like Python's `async with asyncio.timeout(delay)`.
 */
export function timeoutScope(ms: number, options?: ScopeOptions): TimeoutScope {
  validateMs(ms, 'ms');
  const parent = validateScopeOptions(options);
  return new Scope(now() + ms, Date.now() + ms, ms, parent);
}

/**
 * Opens a scope whose `signal` aborts with a {@link TimeoutError} at the absolute time `at`: epoch
 * milliseconds (the `Date.now()` clock) or a `Date`. A time in the past expires on the next turn of the
 * event loop; `Infinity` means no deadline. Otherwise the same as {@link timeoutScope}.
 *
 * Throws synchronously a `TypeError` for a non-number, non-Date `at` and a `RangeError` for NaN or an
 * invalid Date.
 *
 * @example
 * ```ts
 * const deadline = Date.now() + 5000;
 * using scope = deadlineScope(deadline);
 * for (const url of urls) await fetch(url, { signal: scope.signal }); // all of them within 5 s
 * ```
 * Like Python's `async with asyncio.timeout_at(when)`.
 */
export function deadlineScope(at: number | Date, options?: ScopeOptions): TimeoutScope {
  const epoch = at instanceof Date ? at.getTime() : at;
  if (typeof epoch !== 'number') {
    throw new TypeError(
      `The "at" argument must be of type number (epoch milliseconds) or an instance of Date.${describeReceived(at)}`,
    );
  }
  if (Number.isNaN(epoch)) {
    throw new RangeError(
      `The value of "at" is out of range. It must be a time, not NaN. Received ${String(at)}`,
    );
  }
  const parent = validateScopeOptions(options);
  const ms = epoch - Date.now();
  return new Scope(now() + ms, epoch, Math.max(0, Math.round(ms)), parent);
}

function validateScopeOptions(options: ScopeOptions | undefined): AbortSignal | undefined {
  options = ownOptions(options, 'options');
  const signal = options?.signal;
  validateSignal(signal, 'options.signal');
  return signal;
}

class Scope implements TimeoutScope, Deadline, DeadlineSource {
  _bucket: Bucket | null = null;
  _slot = 0;
  _ref = false;
  private controller: AbortController | undefined = undefined;
  private aborted = false;
  private reason: unknown = undefined;
  private isExpired = false;
  private closed = false;
  private runs = 0;
  private parentSubscription: AbortSubscription | undefined = undefined;

  constructor(
    private at: number,
    private epoch: number,
    private ms: number,
    private readonly parent: AbortSignal | undefined,
  ) {
    if (parent !== undefined) {
      if (parent.aborted) {
        this.abort(parent.reason);
        return;
      }
      this.parentSubscription = onAbort(parent, this);
    }
    if (at !== Number.POSITIVE_INFINITY) schedule(this, at, false);
  }

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      // Created on first use: a scope used only through run(promise) never needs one.
      const controller = new AbortController();
      this.controller = controller;
      registerDeadline(controller.signal, this, this.parent);
      if (this.aborted) controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  get deadline(): number {
    return this._effectiveEpoch();
  }

  get expired(): boolean {
    return this.isExpired;
  }

  _effectiveAt(): number {
    const outer = sourceOf(this.parent);
    return outer === undefined ? this.at : Math.min(this.at, outer._effectiveAt());
  }

  _effectiveEpoch(): number {
    const outer = sourceOf(this.parent);
    return outer !== undefined && outer._effectiveAt() < this.at ? outer._effectiveEpoch() : this.epoch;
  }

  reschedule(ms: number): void {
    validateMs(ms, 'ms');
    if (this.closed || this.aborted) {
      const state = this.closed ? 'closed' : this.isExpired ? 'expired' : 'aborted';
      throw new InvalidStateError(
        `Cannot reschedule a timeout scope that has ${state === 'closed' ? 'been closed' : state}. ` +
          'Open a new scope instead.',
      );
    }
    unschedule(this);
    this.at = now() + ms;
    this.epoch = Date.now() + ms;
    this.ms = ms;
    if (ms !== Number.POSITIVE_INFINITY) schedule(this, this.at, this.runs > 0);
  }

  run<T>(op: Operation<T>): Promise<T> {
    validateOperation(op, 'op');
    if (this.closed) {
      throw new InvalidStateError('Cannot run an operation in a timeout scope that has been closed.');
    }
    if (this.aborted) {
      if (typeof op !== 'function') op.then(undefined, () => {});
      return Promise.reject(this.reason);
    }
    const signal = this.signal;
    let result: T | PromiseLike<T>;
    if (typeof op === 'function') {
      try {
        result = op(signal);
      } catch (error) {
        return Promise.reject(error);
      }
      if (!isThenable(result)) return Promise.resolve(result);
    } else {
      result = op;
    }
    const pending = result;
    if (this.runs++ === 0) setRef(this, true);
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const settle = () => {
        settled = true;
        subscription.unsubscribe();
        if (--this.runs === 0) setRef(this, false);
      };
      const subscription = onAbort(signal, (reason) => {
        if (settled) return;
        settle();
        reject(reason);
      });
      const fail = (error: unknown) => {
        if (settled) return;
        settle();
        reject(error);
      };
      try {
        pending.then((value) => {
          if (settled) return;
          settle();
          resolve(value);
        }, fail);
      } catch (error) {
        // A thenable whose `then` throws fails like a rejected promise, and releases the scope.
        fail(error);
      }
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    unschedule(this);
    this.parentSubscription?.unsubscribe();
    if (this.runs > 0 && !this.aborted) {
      this.abort(
        new AbortError(
          `The timeout scope was closed while ${this.runs} operation(s) started with scope.run() were still ` +
            'running, so they were aborted. Await them before the scope ends.',
        ),
      );
    }
  }

  [dispose](): void {
    this.close();
  }

  _expire(): void {
    this.isExpired = true;
    this.abort(
      timerTimeoutError(
        this.ms,
        `The timeout scope's deadline of ${this.ms} ms passed and its signal was aborted. ` +
          'Give it more time with scope.reschedule(ms), or catch TimeoutError.',
      ),
    );
  }

  /** The enclosing signal aborted: follow it with the same reason. */
  handleAbort(reason: unknown): void {
    this.abort(reason);
  }

  private abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    unschedule(this);
    this.parentSubscription?.unsubscribe();
    this.controller?.abort(reason);
  }
}
