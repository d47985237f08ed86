import { WaitList } from '@x/internal';
import { timeoutError } from './errors.js';
import { ownOptions, validateWaitOptions } from './validate.js';
import type { WaitOptions } from './wait-options.js';

/**
 * A flag that tasks wait on: `wait()` resolves once `set()` is called (at once while it is set); `clear()`
 * makes later waits wait again.
 *
 * @example
 * ```ts
 * const ready = new Event();
 * setTimeout(() => ready.set(), 100);
 * await ready.wait({ timeout: 1000 });
 * ```
 * Like Python's `asyncio.Event`.
 */
export class Event {
  #set = false;
  readonly #waiters = new WaitList<true>(timeoutError);

  /** True between `set()` and `clear()`. Like asyncio's `is_set()`. */
  get isSet(): boolean {
    return this.#set;
  }

  /** Waiters queued now. */
  get waiting(): number {
    return this.#waiters.size;
  }

  /** Sets the flag and wakes every waiter. */
  set(): void {
    if (this.#set) return;
    this.#set = true;
    this.#waiters.resolveAll(true);
  }

  /** Clears the flag: later `wait()`s wait for the next `set()`. */
  clear(): void {
    this.#set = false;
  }

  /**
   * Resolves `true` once the flag is set (at once if it is). Rejects with `options.signal.reason` or a
   * `TimeoutError` after `options.timeout` ms, the waiter removed.
   */
  wait(options?: WaitOptions): Promise<true> {
    options = ownOptions(options, 'options');
    validateWaitOptions(options, 'options');
    if (options?.signal?.aborted) return Promise.reject(options.signal.reason);
    if (this.#set) return Promise.resolve(true);
    return this.#waiters.add(undefined, options);
  }
}
