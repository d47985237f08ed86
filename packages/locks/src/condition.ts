import { invalidArgType, WaitList } from '@x/internal';
import { InvalidStateError, TimeoutError, timeoutError } from './errors.js';
import { kAcquireAs, kHolder, Lock } from './lock.js';
import type { Permit } from './semaphore.js';
import { ownOptions, validateFunction, validateInteger, validateWaitOptions } from './validate.js';
import type { WaitOptions } from './wait-options.js';

/**
 * A condition variable: holders of its lock `wait()` until another holder `notify()`s them. `wait()`
 * releases the lock while waiting and holds it again when it returns or throws: a wait cancelled by its
 * signal or timeout re-acquires the lock before it rejects, so a `using`/`run` around it stays correct.
 *
 * @example
 * ```ts
 * const cond = new Condition();
 * const items: string[] = [];
 * // consumer
 * await cond.run(async () => {
 *   await cond.waitFor(() => items.length > 0, { timeout: 1000 });
 *   console.log(items.shift());
 * });
 * // producer
 * await cond.run(() => { items.push('job'); cond.notify(); });
 * ```
 * Like Python's `asyncio.Condition`.
 */
export class Condition {
  readonly #lock: Lock;
  readonly #waiters = new WaitList<void>(timeoutError);

  /** @param lock the lock to use; a new {@link Lock} by default. */
  constructor(lock?: Lock) {
    if (lock !== undefined && !(lock instanceof Lock))
      throw invalidArgType('lock', 'an instance of Lock', lock);
    this.#lock = lock ?? new Lock();
  }

  /** True while somebody holds the underlying lock. */
  get locked(): boolean {
    return this.#lock.locked;
  }

  /** Tasks waiting in `wait()` for a notification now. */
  get waiting(): number {
    return this.#waiters.size;
  }

  /** Acquires the underlying lock; see {@link Lock.acquire}. */
  acquire(options?: WaitOptions): Promise<Permit> {
    return this.#lock.acquire(options);
  }

  /** A permit of the underlying lock if it is free now, else `undefined`. */
  tryAcquire(): Permit | undefined {
    return this.#lock.tryAcquire();
  }

  /** Releases the underlying lock; see {@link Lock.release}. */
  release(): void {
    this.#lock.release();
  }

  /** Runs `fn(signal)` holding the underlying lock; see {@link Lock.run}. */
  run<T>(fn: (signal: AbortSignal) => T | PromiseLike<T>, options?: WaitOptions): Promise<Awaited<T>> {
    return this.#lock.run(fn, options);
  }

  /**
   * Releases the lock, waits for a `notify()`, then re-acquires the lock and resolves `true`. When
   * `options.signal` aborts or `options.timeout` passes first, it still re-acquires the lock, then rejects
   * with the signal's reason or a `TimeoutError`.
   *
   * @throws {InvalidStateError} `ERR_X_INVALID_STATE` (synchronously) when the lock is not held.
   */
  wait(options?: WaitOptions): Promise<true> {
    options = ownOptions(options, 'options');
    validateWaitOptions(options, 'options');
    this.#assertHeld('wait');
    if (options?.signal?.aborted) return Promise.reject(options.signal.reason);
    return this.#wait(options);
  }

  async #wait(options: WaitOptions | undefined): Promise<true> {
    const holder = this.#lock[kHolder];
    const notified = this.#waiters.add(undefined, options);
    this.#lock.release();
    try {
      await notified;
    } finally {
      // asyncio's rule: whatever happened, the caller holds the lock again when wait() returns or throws.
      await this.#lock[kAcquireAs](holder);
    }
    return true;
  }

  /**
   * Waits until `predicate()` is truthy, re-checking it after each notification, and resolves its value.
   * `options.timeout` bounds the whole wait.
   *
   * @throws {InvalidStateError} when the lock is not held; {TypeError} when `predicate` is not a function.
   * @example
   * ```ts
   * await cond.run(() => cond.waitFor(() => queue.length > 0));
   * ```
   */
  waitFor<T>(predicate: () => T, options?: WaitOptions): Promise<T> {
    validateFunction(predicate, 'predicate');
    options = ownOptions(options, 'options');
    validateWaitOptions(options, 'options');
    this.#assertHeld('waitFor');
    return this.#waitFor(predicate, options);
  }

  async #waitFor<T>(predicate: () => T, options: WaitOptions | undefined): Promise<T> {
    const timeout = options?.timeout;
    const deadline = timeout === undefined ? undefined : performance.now() + timeout;
    let result = predicate();
    while (!result) {
      const remaining = deadline === undefined ? undefined : Math.max(0, deadline - performance.now());
      try {
        await this.wait({ signal: options?.signal, timeout: remaining });
      } catch (error) {
        // Report the caller's own budget, not what was left of it on the last round.
        if (error instanceof TimeoutError && timeout !== undefined) throw new TimeoutError(timeout);
        throw error;
      }
      result = predicate();
    }
    return result;
  }

  /**
   * Wakes up to `n` waiters, longest first. They resume once the caller releases the lock.
   *
   * @throws {InvalidStateError} when the lock is not held; {RangeError} for a negative or non-integer `n`.
   */
  notify(n = 1): void {
    validateInteger(n, 'n', 0, Number.POSITIVE_INFINITY, true);
    this.#assertHeld('notify');
    for (let i = 0; i < n; i++) {
      const node = this.#waiters.shift();
      if (node === undefined) break;
      node.resolve();
    }
  }

  /** Wakes every waiter. @throws {InvalidStateError} when the lock is not held. */
  notifyAll(): void {
    this.#assertHeld('notifyAll');
    this.#waiters.resolveAll(undefined);
  }

  #assertHeld(method: string): void {
    if (!this.#lock.locked) {
      throw new InvalidStateError(
        `Condition.${method}() needs the lock: call it inside cond.run() or after acquire().`,
      );
    }
  }
}
