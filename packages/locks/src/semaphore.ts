import { dispose, WaitList } from '@x/internal';
import { overReleased, timeoutError } from './errors.js';
import { neverAborted } from './never-signal.js';
import { ownOptions, validateFunction, validateInteger, validateWaitOptions } from './validate.js';
import type { WaitOptions } from './wait-options.js';

export type { WaitOptions } from './wait-options.js';

/**
 * What `acquire()` resolves to: one held permit. Release it once, by `release()` or by leaving a `using`
 * block; releasing it again is a no-op, so a `finally` and a `using` can both release safely.
 *
 * @example
 * ```ts
 * using permit = await sem.acquire();
 * await work(); // released when the block ends, even on a throw
 * ```
 */
export interface Permit extends Disposable {
  /** Gives the permit back (wakes the longest waiter, if any). Later calls do nothing. */
  release(): void;
  /** True once released. */
  readonly released: boolean;
}

/** A permit that releases through `give` exactly once. */
export class OncePermit implements Permit {
  #give: (() => void) | undefined;
  constructor(give: () => void) {
    this.#give = give;
  }
  get released(): boolean {
    return this.#give === undefined;
  }
  release(): void {
    const give = this.#give;
    if (give === undefined) return;
    this.#give = undefined;
    give();
  }
  [dispose](): void {
    this.release();
  }
}

/**
 * A counter of permits with a FIFO of waiters: at most `value` holders at once. `acquire()` waits while no
 * permit is free; a waiter whose signal aborts or whose timeout passes leaves the queue at once and never
 * consumes a permit, because a released permit is handed straight to the longest waiter still waiting.
 *
 * @example
 * ```ts
 * const sem = new Semaphore(4);
 * const rows = await sem.run((signal) => db.query(sql, { signal }), { signal, timeout: 5000 });
 * ```
 * Like Python's `asyncio.Semaphore`.
 */
export class Semaphore {
  #value: number;
  readonly #waiters = new WaitList<Permit>(timeoutError);
  readonly #give = () => this.release();

  /**
   * @param value permits free at first, an integer `>= 0`. @default 1
   * @throws {RangeError} `ERR_OUT_OF_RANGE` for a negative or non-integer value.
   */
  constructor(value = 1) {
    validateInteger(value, 'value', 0);
    this.#value = value;
  }

  /** Free permits now. */
  get value(): number {
    return this.#value;
  }

  /** Waiters queued now (aborted and timed-out waiters have already left). */
  get waiting(): number {
    return this.#waiters.size;
  }

  /** True when `acquire()` would wait: no permit is free. Like asyncio's `locked()`. */
  get locked(): boolean {
    return this.#value === 0;
  }

  /**
   * Resolves to a {@link Permit} once one is free (at once if one is), waiters served first come, first
   * served. Rejects with `options.signal.reason` when the signal aborts (at once if it already has), or with
   * a `TimeoutError` after `options.timeout` ms; either way the waiter has left and holds nothing.
   *
   * @example
   * ```ts
   * using permit = await sem.acquire({ signal, timeout: 1000 });
   * ```
   */
  acquire(options?: WaitOptions): Promise<Permit> {
    options = ownOptions(options, 'options');
    validateWaitOptions(options, 'options');
    if (options?.signal?.aborted) return Promise.reject(options.signal.reason);
    if (this.#value > 0) {
      this.#value--;
      return Promise.resolve(new OncePermit(this.#give));
    }
    return this.#waiters.add(undefined, options);
  }

  /** A permit if one is free now, else `undefined`; never waits. */
  tryAcquire(): Permit | undefined {
    if (this.#value === 0) return undefined;
    this.#value--;
    return new OncePermit(this.#give);
  }

  /**
   * Releases one permit, asyncio's form: the longest waiter gets it, or the count goes up. Prefer the
   * permit's own `release()`, which cannot release twice.
   */
  release(): void {
    const node = this.#waiters.shift();
    if (node !== undefined) node.resolve(new OncePermit(this.#give));
    else this.#value++;
  }

  /**
   * Runs `fn(signal)` holding a permit and releases it when `fn` settles, like asyncio's `async with sem:`.
   * `signal` is `options.signal` itself (or a signal that never aborts), so the work stops when the caller
   * aborts; `options.timeout` bounds the wait for a permit only, not `fn`.
   *
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` at once when `fn` is not a function.
   * @example
   * ```ts
   * const body = await sem.run((signal) => fetch(url, { signal }).then((r) => r.text()), { signal });
   * ```
   */
  async run<T>(fn: (signal: AbortSignal) => T | PromiseLike<T>, options?: WaitOptions): Promise<Awaited<T>> {
    validateFunction(fn, 'fn');
    using _permit = await this.acquire(options);
    const signal = options?.signal ?? neverAborted;
    // Woken, but aborted before this continuation ran: pass the permit on rather than start the work.
    if (signal.aborted) throw signal.reason;
    return await fn(signal);
  }
}

/**
 * A {@link Semaphore} that refuses to be released above its initial value: that throws a `RangeError` with
 * code `ERR_X_SEMAPHORE_OVER_RELEASED`, catching release-without-acquire bugs at once.
 *
 * @example
 * ```ts
 * const sem = new BoundedSemaphore(2);
 * sem.release(); // throws RangeError: released too many times
 * ```
 * Like Python's `asyncio.BoundedSemaphore` (which raises `ValueError`).
 */
export class BoundedSemaphore extends Semaphore {
  readonly #bound: number;
  constructor(value = 1) {
    super(value);
    this.#bound = value;
  }

  /** Releases one permit; throws a `RangeError` (`ERR_X_SEMAPHORE_OVER_RELEASED`) if none is held. */
  override release(): void {
    // value >= bound means nobody holds a permit (waiters only exist while value is 0).
    if (this.value >= this.#bound) throw overReleased(this.#bound);
    super.release();
  }
}
