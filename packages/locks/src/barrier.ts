import { invalidArgType, WaitList } from '@x/internal';
import { BrokenBarrierError, timeoutError } from './errors.js';
import { ownOptions, validateInteger, validateWaitOptions } from './validate.js';
import type { WaitOptions } from './wait-options.js';

/**
 * A meeting point for `parties` tasks: each `wait()` waits until `parties` of them are waiting, then all
 * resolve together with their arrival index (0 … parties-1, each once per cycle), and the barrier is ready
 * for the next cycle. A waiter whose signal aborts or whose timeout passes leaves and is no longer counted;
 * `abort()` breaks the barrier and `reset()` returns it to empty, both rejecting the waiters with
 * {@link BrokenBarrierError}.
 *
 * @example
 * ```ts
 * const barrier = new Barrier(3);
 * const indexes = await Promise.all([barrier.wait(), barrier.wait(), barrier.wait()]); // [0, 1, 2]
 * ```
 * Like Python's `asyncio.Barrier`.
 */
export class Barrier {
  readonly #parties: number;
  readonly #waiters = new WaitList<number>(timeoutError);
  #broken = false;

  /** @param parties how many tasks meet, an integer `>= 1`. */
  constructor(parties: number) {
    if (parties === undefined) throw invalidArgType('parties', 'of type number', parties);
    validateInteger(parties, 'parties', 1);
    this.#parties = parties;
  }

  /** How many tasks meet. */
  get parties(): number {
    return this.#parties;
  }

  /** Tasks waiting now. Like asyncio's `n_waiting`. */
  get waiting(): number {
    return this.#waiters.size;
  }

  /** True after `abort()` until `reset()`. */
  get broken(): boolean {
    return this.#broken;
  }

  /**
   * Waits until `parties` tasks wait, then resolves with this task's arrival index. Rejects with
   * `BrokenBarrierError` when the barrier is (or becomes) broken or is reset, with `options.signal.reason`
   * or a `TimeoutError`, the waiter no longer counted.
   */
  wait(options?: WaitOptions): Promise<number> {
    options = ownOptions(options, 'options');
    validateWaitOptions(options, 'options');
    if (this.#broken) return Promise.reject(new BrokenBarrierError());
    if (options?.signal?.aborted) return Promise.reject(options.signal.reason);
    if (this.#waiters.size + 1 < this.#parties) return this.#waiters.add(undefined, options);
    let index = 0;
    for (let node = this.#waiters.shift(); node !== undefined; node = this.#waiters.shift())
      node.resolve(index++);
    return Promise.resolve(index);
  }

  /** Breaks the barrier: waiting and later `wait()`s reject with `BrokenBarrierError` until `reset()`. */
  abort(): void {
    this.#broken = true;
    this.#waiters.rejectAll(new BrokenBarrierError());
  }

  /** Returns the barrier to empty and unbroken; the tasks waiting now reject with `BrokenBarrierError`. */
  reset(): void {
    this.#waiters.rejectAll(new BrokenBarrierError('The barrier was reset while this task waited.'));
    this.#broken = false;
  }
}
