import { invalidArgType, outOfRange } from '@x/internal';
import { AbortError } from './errors.js';
import type { MapOptions } from './map.js';
import { type Mapper, MapRun, validateMapArguments } from './map-run.js';
import { readCommonOptions } from './validate.js';

/** Options of {@link mapStream}. */
export interface MapStreamOptions extends MapOptions {
  /**
   * How many items may be started but not yet read by the loop (an integer >= `concurrency`, or `Infinity`). When
   * the loop is slower than `fn`, reading the input pauses at this many, so memory stays flat.
   * @default concurrency
   */
  readonly backpressure?: number;
  /**
   * `true`: yield in input order (a slow item holds back the ones after it). `false`: yield each result as soon
   * as it is ready, in completion order (asyncio's `as_completed`, p-map's `preserveOrder: false`), with the same
   * `concurrency` and `backpressure` bounds; a slow item then no longer holds the others back.
   * @default true
   */
  readonly ordered?: boolean;
}

type Input<T> = Iterable<T> | AsyncIterable<T>;

/**
 * Like {@link map}, but an async iterable that yields each result in input order as soon as it and every result
 * before it are ready, so results stream out while the input is still being read; with `ordered: false`, each
 * result as soon as it is ready (completion order), so a slow item holds back nothing.
 *
 * Memory stays bounded by `backpressure` items whatever the input's length. By default the first failure aborts
 * the running calls and the loop throws it; with `returnExceptions: true` errors are yielded in place. Leaving the
 * loop early aborts the running calls and closes the input. Nothing starts before the first `next()`; the first
 * `concurrency` calls start inside it. A promise item is awaited before `fn` sees it, as in {@link map}.
 *
 * @example
 * ```ts
 * for await (const user of mapStream(idsFromDb(), (id, { signal }) => fetchUser(id, { signal }), { concurrency: 16 }))
 *   await writeRow(user);
 * ```
 * ```ts
 * for await (const page of mapStream(urls, (url, { signal }) => fetch(url, { signal }), { concurrency: 8, ordered: false }))
 *   await save(page); // in the order the pages arrive
 * ```
 * Like Python's `asyncio.as_completed` over a semaphore-bounded generator (ordered by default);
 * `p-map`'s `pMapIterable` (`preserveOrder: false` for `ordered: false`).
 */
export function mapStream<T, R>(
  iterable: Input<T>,
  fn: Mapper<Awaited<T>, R>,
  options: MapStreamOptions & { readonly returnExceptions: true },
): AsyncIterableIterator<Awaited<R> | Error>;
export function mapStream<T, R>(
  iterable: Input<T>,
  fn: Mapper<Awaited<T>, R>,
  options?: MapStreamOptions & { readonly returnExceptions?: false },
): AsyncIterableIterator<Awaited<R>>;
export function mapStream<T, R>(
  iterable: Input<T>,
  fn: Mapper<Awaited<T>, R>,
  options?: MapStreamOptions,
): AsyncIterableIterator<Awaited<R> | Error>;
export function mapStream<T, R>(
  iterable: Input<T>,
  fn: Mapper<Awaited<T>, R>,
  options?: MapStreamOptions,
): AsyncIterableIterator<unknown> {
  validateMapArguments(iterable, fn);
  const common = readCommonOptions(options);
  const backpressure = options?.backpressure ?? common.concurrency;
  if (typeof backpressure !== 'number')
    throw invalidArgType('options.backpressure', 'of type number', backpressure);
  if (
    !(
      backpressure >= common.concurrency &&
      (Number.isInteger(backpressure) || backpressure === Number.POSITIVE_INFINITY)
    )
  )
    throw outOfRange(
      'options.backpressure',
      `an integer >= options.concurrency (${common.concurrency})`,
      backpressure,
    );
  const ordered = options?.ordered ?? true;
  if (typeof ordered !== 'boolean') throw invalidArgType('options.ordered', 'of type boolean', ordered);
  return new StreamMapRun(iterable, fn, common, backpressure, ordered);
}

type Waiter = { resolve: (r: IteratorResult<unknown, undefined>) => void; reject: (e: unknown) => void };
const DONE: IteratorResult<unknown, undefined> = Object.freeze({ done: true, value: undefined });
const THROW: unique symbol = Symbol('throw');

class StreamMapRun<T, R> extends MapRun<T, R> implements AsyncIterableIterator<unknown> {
  /** Ordered: results by index, taken when their turn comes. */
  readonly #buffer = new Map<number, unknown>();
  /**
   * Unordered: results in completion order, in `#queue[#head .. #tail)`. Both indexes go back to 0 whenever it
   * empties (and the rest is moved to the front now and then if it never does), so the array stays about
   * `backpressure` long and is not reallocated per item.
   */
  readonly #queue: unknown[] = [];
  #head = 0;
  #tail = 0;
  #started = false;
  #completed = false;
  #hasError = false;
  #error: unknown;
  #waiter: Waiter | undefined;
  #waiters: Waiter[] = [];

  constructor(
    source: unknown,
    fn: Mapper<T, R>,
    options: ConstructorParameters<typeof MapRun<T, R>>[2],
    window: number,
    readonly ordered: boolean,
  ) {
    super(source, fn, options, window);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<unknown, undefined>> {
    if (!this.#started) {
      this.#started = true;
      this.start();
    }
    if (this.#waiter !== undefined)
      return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
    const result = this.#take();
    if (result === undefined) return new Promise((resolve, reject) => (this.#waiter = { resolve, reject }));
    return result === THROW ? Promise.reject(this.#takeError()) : Promise.resolve(result);
  }

  return(): Promise<IteratorResult<unknown, undefined>> {
    this.#started = true;
    this.#completed = true; // before abort(), so failed() has nothing to report
    this.#clear();
    this.#hasError = false;
    this.#error = undefined;
    this.abort(new AbortError('The mapStream() loop ended before every item was processed.'), undefined);
    this.#settleWaiters();
    // waitForStop: leaving the loop waits until the calls it aborted have stopped.
    const running = this.running;
    if (running !== undefined && running.count > 0) return running.idle().then(() => DONE);
    return Promise.resolve(DONE);
  }

  #clear(): void {
    this.#buffer.clear();
    this.#queue.length = 0;
    this.#head = this.#tail = 0;
  }

  /**
   * What the consumer gets now: a result, THROW (then `#takeError()` is the error), or undefined if it has to
   * wait. Not a promise: a waiting consumer's promise is resolved with it directly, with no extra hop per item.
   */
  #take(): IteratorResult<unknown, undefined> | typeof THROW | undefined {
    if (!this.ordered) {
      if (this.#head < this.#tail) {
        const value = this.#queue[this.#head];
        this.#queue[this.#head++] = undefined;
        if (this.#head === this.#tail) this.#head = this.#tail = 0;
        else if (this.#head >= 1024 && this.#head * 2 >= this.#tail) {
          // A consumer that never quite catches up never empties the queue: move what is left to the front.
          this.#queue.copyWithin(0, this.#head, this.#tail);
          this.#queue.length = this.#tail -= this.#head;
          this.#head = 0;
        }
        this.advance();
        return { done: false, value };
      }
    } else if (this.#buffer.has(this.consumed)) {
      const index = this.consumed;
      const value = this.#buffer.get(index);
      this.#buffer.delete(index);
      this.advance();
      return { done: false, value };
    }
    if (this.#hasError) return THROW;
    if (this.#completed) return DONE;
    return undefined;
  }

  /** The error `#take()` announced with THROW; the iteration is over after it. */
  #takeError(): unknown {
    this.#hasError = false;
    const error = this.#error;
    this.#error = undefined;
    this.#completed = true;
    return error;
  }

  #settleWaiters(): void {
    while (this.#waiter !== undefined) {
      const result = this.#take();
      if (result === undefined) return;
      const waiter = this.#waiter;
      this.#waiter = this.#waiters.shift();
      if (result === THROW) waiter.reject(this.#takeError());
      else waiter.resolve(result);
    }
  }

  protected store(index: number, value: unknown): void {
    if (!this.ordered) {
      this.#queue[this.#tail++] = value;
      this.#settleWaiters();
      return;
    }
    this.#buffer.set(index, value);
    if (index === this.consumed) this.#settleWaiters();
  }

  protected complete(): void {
    this.#completed = true;
    this.#settleWaiters();
  }

  protected failed(error: unknown): void {
    if (this.#completed) return;
    this.#clear();
    this.#hasError = true;
    this.#error = error;
    this.#settleWaiters();
  }
}
