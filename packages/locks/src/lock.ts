import { dispose, WaitList } from '@x/internal';
import { InvalidStateError, timeoutError } from './errors.js';
import { neverAborted } from './never-signal.js';
import type { Permit } from './semaphore.js';
import { ownOptions, validateFunction, validateWaitOptions } from './validate.js';
import type { WaitOptions } from './wait-options.js';

// Module-private keys for Condition, which must hand the lock back to the very permit that held it.
/** @internal */
export const kHolder = Symbol('holder');
/** @internal */
export const kAcquireAs = Symbol('acquireAs');
const kReleaseBy = Symbol('releaseBy');

/** The permit of a {@link Lock}: it releases the lock only while it is the one holding it. */
class LockPermit implements Permit {
  readonly #lock: Lock;
  constructor(lock: Lock) {
    this.#lock = lock;
  }
  get released(): boolean {
    return this.#lock[kHolder] !== this;
  }
  release(): void {
    this.#lock[kReleaseBy](this);
  }
  [dispose](): void {
    this.#lock[kReleaseBy](this);
  }
}

/**
 * A mutual-exclusion lock with a FIFO of waiters: one holder at a time. A waiter whose signal aborts or
 * whose timeout passes leaves at once without ever taking the lock.
 *
 * @example
 * ```ts
 * const lock = new Lock();
 * await lock.run(async () => {
 *   const balance = await read();
 *   await write(balance + 1); // no other run() interleaves here
 * });
 * ```
 * Like Python's `asyncio.Lock`.
 */
export class Lock {
  #holder: LockPermit | undefined = undefined;
  readonly #waiters = new WaitList<Permit, LockPermit | undefined>(timeoutError);

  /** True while somebody holds the lock. */
  get locked(): boolean {
    return this.#holder !== undefined;
  }

  /** Waiters queued now. */
  get waiting(): number {
    return this.#waiters.size;
  }

  /**
   * Resolves to a {@link Permit} once the lock is free (at once if it is). Rejects with
   * `options.signal.reason` or a `TimeoutError` after `options.timeout` ms, having never taken the lock.
   *
   * @example
   * ```ts
   * using _held = await lock.acquire({ timeout: 1000 });
   * ```
   */
  acquire(options?: WaitOptions): Promise<Permit> {
    options = ownOptions(options, 'options');
    validateWaitOptions(options, 'options');
    if (options?.signal?.aborted) return Promise.reject(options.signal.reason);
    if (this.#holder === undefined) {
      const permit = new LockPermit(this);
      this.#holder = permit;
      return Promise.resolve(permit);
    }
    return this.#waiters.add(undefined, options);
  }

  /** The lock's permit if it is free now, else `undefined`; never waits. */
  tryAcquire(): Permit | undefined {
    if (this.#holder !== undefined) return undefined;
    const permit = new LockPermit(this);
    this.#holder = permit;
    return permit;
  }

  /**
   * Releases the lock, handing it to the longest waiter. The holder's permit becomes released, so its own
   * `release()` or `using` will not release the next holder.
   *
   * @throws {InvalidStateError} `ERR_X_INVALID_STATE` when the lock is not locked.
   */
  release(): void {
    if (this.#holder === undefined) {
      throw new InvalidStateError('Lock is not acquired: release() called without a matching acquire().');
    }
    this.#handOff();
  }

  /**
   * Runs `fn(signal)` holding the lock and releases it when `fn` settles, like asyncio's `async with lock:`.
   * `signal` is `options.signal` (or a signal that never aborts); `options.timeout` bounds the wait only.
   *
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` at once when `fn` is not a function.
   */
  async run<T>(fn: (signal: AbortSignal) => T | PromiseLike<T>, options?: WaitOptions): Promise<Awaited<T>> {
    validateFunction(fn, 'fn');
    using _held = await this.acquire(options);
    const signal = options?.signal ?? neverAborted;
    if (signal.aborted) throw signal.reason;
    return await fn(signal);
  }

  /** @internal The permit holding the lock now. */
  get [kHolder](): LockPermit | undefined {
    return this.#holder;
  }

  /** @internal Takes the lock (waiting, uncancellable) with `permit` as its holder again. */
  [kAcquireAs](permit: LockPermit | undefined): Promise<Permit> {
    if (this.#holder === undefined) {
      const holder = permit ?? new LockPermit(this);
      this.#holder = holder;
      return Promise.resolve(holder);
    }
    return this.#waiters.add(permit);
  }

  /** @internal */
  [kReleaseBy](permit: LockPermit): void {
    if (this.#holder === permit) this.#handOff();
  }

  #handOff(): void {
    const node = this.#waiters.shift();
    if (node === undefined) {
      this.#holder = undefined;
      return;
    }
    const next = node.data ?? new LockPermit(this);
    this.#holder = next;
    node.resolve(next);
  }
}
