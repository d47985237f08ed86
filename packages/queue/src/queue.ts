import { dispose, invalidArgType, outOfRange, ownOptions, validateWaitOptions, WaitList } from '@x/internal';
import {
  InvalidStateError,
  QueueEmptyError,
  QueueFullError,
  QueueShutDownError,
  timeoutError,
} from './errors.js';
import { FifoStore, type Store } from './store.js';
import type { WaitOptions } from './wait-options.js';

export type { WaitOptions } from './wait-options.js';

/** What every queue accepts. */
export interface QueueOptions {
  /**
   * Items the queue holds at most; `put()` waits while it is full. An integer `>= 1`, or `Infinity`.
   * (Python's `maxsize <= 0` means unbounded; here say `Infinity`.)
   * @default Infinity
   */
  maxsize?: number | undefined;
}

/** What `shutdown()` accepts. */
export interface ShutdownOptions {
  /** Drop the items left in the queue and release `join()` now, instead of letting consumers drain it. @default false */
  immediate?: boolean | undefined;
}

/** What `values()` accepts. */
export interface ValuesOptions {
  /** Aborting it ends the iteration with `signal.reason` (a pending `get` leaves without taking an item). */
  signal?: AbortSignal | undefined;
}

function validateMaxsize(value: unknown): number {
  if (value === undefined) return Number.POSITIVE_INFINITY;
  if (typeof value !== 'number') throw invalidArgType('options.maxsize', 'of type number', value);
  if (!((Number.isInteger(value) || value === Number.POSITIVE_INFINITY) && value >= 1)) {
    throw outOfRange('options.maxsize', 'an integer >= 1 or Infinity', value);
  }
  return value;
}

/**
 * A first-in, first-out queue between producers and consumers: `put()` waits while it is full (backpressure),
 * `get()` waits while it is empty, each cancellable by its signal and bounded by its timeout. A cancelled
 * `get` never loses an item (an item is handed only to a getter still waiting), and a cancelled `put` never
 * inserts. `taskDone()`/`join()` track work to completion; `shutdown()` ends it (Python 3.13's semantics).
 *
 * @example
 * ```ts
 * const queue = new Queue<string>({ maxsize: 64 });
 * const consumer = (async () => {
 *   for await (const url of queue) {
 *     await crawl(url);
 *     queue.taskDone();
 *   }
 * })();
 * for (const url of urls) await queue.put(url); // waits while 64 are queued
 * await queue.join(); // every item put was marked done
 * queue.shutdown(); // ends the consumer's loop
 * ```
 * Like Python's `asyncio.Queue`.
 */
export class Queue<T> implements AsyncIterable<T> {
  readonly #store: Store<T>;
  readonly #maxsize: number;
  readonly #getters = new WaitList<T>(timeoutError);
  readonly #putters = new WaitList<void, T>(timeoutError);
  readonly #joiners = new WaitList<void>(timeoutError);
  /** Items put and not yet marked done (asyncio's `_unfinished_tasks`). */
  #unfinished = 0;
  /** Items taken by a get and not yet marked done: what `taskDone()` may still account for. */
  #taken = 0;
  #shutdown = false;

  /**
   * @throws {TypeError|RangeError} at once for a bad `options.maxsize`.
   */
  constructor(options?: QueueOptions) {
    options = ownOptions(options, 'options');
    this.#maxsize = validateMaxsize(options?.maxsize);
    this.#store = this.createStore(options);
  }

  /** The storage order; overridden by `LifoQueue` and `PriorityQueue`. @internal */
  protected createStore(_options: QueueOptions | undefined): Store<T> {
    return new FifoStore<T>();
  }

  /** Items in the queue now. Like asyncio's `qsize()`. */
  get size(): number {
    return this.#store.size;
  }

  /** The most items the queue holds (`Infinity` when unbounded). */
  get maxsize(): number {
    return this.#maxsize;
  }

  /** True when the queue holds no item. */
  get empty(): boolean {
    return this.#store.size === 0;
  }

  /** True when the queue holds `maxsize` items: `put()` would wait. */
  get full(): boolean {
    return this.#store.size >= this.#maxsize;
  }

  /** True after `shutdown()`. */
  get isShutDown(): boolean {
    return this.#shutdown;
  }

  /**
   * Puts `item` in the queue, waiting while it is full (first come, first served among waiting puts).
   * Rejects with `QueueShutDownError` once the queue is shut down (also while waiting), with
   * `options.signal.reason` or a `TimeoutError`; a put that rejects never inserted its item.
   */
  put(item: T, options?: WaitOptions): Promise<void> {
    options = ownOptions(options, 'options');
    validateWaitOptions(options, 'options');
    this.#store.check(item);
    if (this.#shutdown) return Promise.reject(new QueueShutDownError());
    if (options?.signal?.aborted) return Promise.reject(options.signal.reason);
    if (this.#putters.size === 0 && this.#store.size < this.#maxsize) {
      this.#insert(item);
      return Promise.resolve();
    }
    return this.#putters.add(item, options);
  }

  /**
   * Puts `item` without waiting.
   * @throws {QueueFullError} when the queue is full; {QueueShutDownError} after `shutdown()`.
   */
  putNowait(item: T): void {
    this.#store.check(item);
    if (this.#shutdown) throw new QueueShutDownError();
    if (this.#store.size >= this.#maxsize) throw new QueueFullError();
    this.#insert(item);
  }

  /**
   * Takes the next item, waiting while the queue is empty (first come, first served among waiting gets).
   * Rejects with `QueueShutDownError` when the queue is shut down and empty, with `options.signal.reason` or
   * a `TimeoutError`; a get that rejects took no item.
   */
  get(options?: WaitOptions): Promise<T> {
    options = ownOptions(options, 'options');
    validateWaitOptions(options, 'options');
    if (options?.signal?.aborted) return Promise.reject(options.signal.reason);
    if (this.#store.size > 0) return Promise.resolve(this.#take());
    if (this.#shutdown) return Promise.reject(new QueueShutDownError());
    return this.#getters.add(undefined, options);
  }

  /**
   * Takes the next item without waiting.
   * @throws {QueueEmptyError} when the queue is empty; {QueueShutDownError} when it is also shut down.
   */
  getNowait(): T {
    if (this.#store.size > 0) return this.#take();
    throw this.#shutdown ? new QueueShutDownError() : new QueueEmptyError();
  }

  /**
   * Marks one item taken by `get` as processed; `join()` resolves when every item put is marked.
   * @throws {InvalidStateError} when called more times than items were taken.
   */
  taskDone(): void {
    if (this.#taken === 0) {
      throw new InvalidStateError('taskDone() called more times than items were taken from the queue.');
    }
    this.#taken--;
    this.#done(1);
  }

  /**
   * Resolves once every item put has been marked done by `taskDone()` (at once if none is pending), or the
   * queue was shut down with `immediate`. Rejects with `options.signal.reason` or a `TimeoutError`.
   */
  join(options?: WaitOptions): Promise<void> {
    options = ownOptions(options, 'options');
    validateWaitOptions(options, 'options');
    if (options?.signal?.aborted) return Promise.reject(options.signal.reason);
    if (this.#unfinished === 0) return Promise.resolve();
    return this.#joiners.add(undefined, options);
  }

  /**
   * Shuts the queue down, following Python 3.13's `Queue.shutdown`: later and waiting `put`s reject with
   * `QueueShutDownError`; `get`s go on taking what is left, then reject (waiting ones at once, since they
   * only wait on an empty queue). With `immediate: true`, what is left is dropped and counted as done, so
   * `join()` resolves. Calling it again is allowed (`immediate` can still drop what is left).
   */
  shutdown(options?: ShutdownOptions): void {
    options = ownOptions(options, 'options');
    const immediate = options?.immediate;
    if (immediate !== undefined && typeof immediate !== 'boolean') {
      throw invalidArgType('options.immediate', 'of type boolean', immediate);
    }
    this.#shutdown = true;
    if (immediate) {
      let dropped = 0;
      while (this.#store.size > 0) {
        this.#store.take();
        dropped++;
      }
      this.#done(Math.min(dropped, this.#unfinished));
    }
    this.#putters.rejectAll(new QueueShutDownError());
    this.#getters.rejectAll(new QueueShutDownError());
  }

  /**
   * The items as they arrive, until the queue is shut down and drained (then the loop ends quietly).
   * Items are taken by `get`, so call `taskDone()` for each if you use `join()`.
   *
   * @example
   * ```ts
   * for await (const job of queue.values({ signal })) await handle(job);
   * ```
   */
  async *values(options?: ValuesOptions): AsyncGenerator<T, void, undefined> {
    options = ownOptions(options, 'options');
    const getOptions = options?.signal === undefined ? undefined : { signal: options.signal };
    for (;;) {
      let item: T;
      try {
        item = await this.get(getOptions);
      } catch (error) {
        if (error instanceof QueueShutDownError) return;
        throw error;
      }
      yield item;
    }
  }

  /**
   * `shutdown()`, for `using queue = new Queue()`: when the block ends, later puts are refused and the
   * consumers drain what is left, then their loops end.
   */
  [dispose](): void {
    this.shutdown();
  }

  /** `for await (const item of queue)`: {@link values} without a signal. */
  [Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    return this.values();
  }

  #insert(item: T): void {
    this.#unfinished++;
    const getter = this.#getters.shift();
    if (getter === undefined) this.#store.push(item);
    else {
      // A getter waits only on an empty queue, so handing the item over is what push + take would do.
      this.#taken++;
      getter.resolve(item);
    }
  }

  #take(): T {
    const item = this.#store.take();
    this.#taken++;
    // Room was made: admit the longest-waiting put.
    if (this.#putters.size > 0 && this.#store.size < this.#maxsize) {
      const putter = this.#putters.shift()!;
      this.#insert(putter.data);
      putter.resolve();
    }
    return item;
  }

  #done(n: number): void {
    this.#unfinished -= n;
    if (this.#unfinished === 0) this.#joiners.resolveAll(undefined);
  }
}
