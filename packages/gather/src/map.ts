import { type Mapper, MapRun, validateMapArguments } from './map-run.js';
import { readCommonOptions } from './validate.js';

export type { MapContext, Mapper } from './map-run.js';

/** Options of {@link map} and {@link mapStream}. */
export interface MapOptions {
  /**
   * At most this many `fn` calls run at once (an integer >= 1, or `Infinity`), and the input is read no further
   * ahead than that. Set it for large or endless inputs: with `Infinity` the whole input is read at once.
   * @default Infinity
   */
  readonly concurrency?: number;
  /** Aborting it aborts every running call, closes the input, and rejects with `signal.reason`, unchanged. */
  readonly signal?: AbortSignal;
  /**
   * Put each failure's error at its position instead of rejecting (asyncio's `return_exceptions`).
   * @default false
   */
  readonly returnExceptions?: boolean;
  /**
   * Milliseconds each `fn` call may take (> 0, or `Infinity`). A call still pending then has its `signal` aborted
   * with a `TimeoutError` and fails with it (the map rejects, or with `returnExceptions: true` the error takes its
   * place), and its slot goes to the next item. The time an item spends waiting for a slot is not counted.
   * @default Infinity
   *
   * @example
   * ```ts
   * const pages = await map(urls, (url, { signal }) => fetch(url, { signal }), { concurrency: 8, timeout: 5000 });
   * ```
   */
  readonly timeout?: number;
  /**
   * When the map gives up on calls (a failure, a deadline, `signal`, a loop left early), settle only once every
   * call it started has really settled, as asyncio's `TaskGroup` does. Off by default: a call that ignores its
   * signal would hold the caller until it finishes on its own.
   * @default false
   */
  readonly waitForStop?: boolean;
}

type Input<T> = Iterable<T> | AsyncIterable<T>;

/**
 * Calls `fn(item, { index, signal })` for every item of an array, iterable or async iterable, at most
 * `concurrency` at once, and resolves to the results in input order.
 *
 * A promise item is awaited before `fn` is called with its value (p-map's rule); a rejected one is that item's
 * failure. The first `concurrency` calls start synchronously, inside this call.
 *
 * The input is read lazily: an item is taken only when a call slot is free, so a generator of a million ids runs
 * with `concurrency` items in flight. On the first failure it aborts the running calls' signal (an `AbortError`
 * whose `cause` is the failure), stops reading and closes the input, and rejects with the failure; with
 * `returnExceptions: true` errors take their place in the results. An input that throws rejects with its error.
 * The result array itself grows with the input; use {@link mapStream} to keep memory flat.
 *
 * @example
 * ```ts
 * const users = await map(userIds, (id, { signal }) => fetchUser(id, { signal }), { concurrency: 8 });
 * ```
 * Like Python's `asyncio.gather(*(fetch(id) for id in ids))` with a semaphore, or `p-map`, plus cancellation.
 */
export function map<T, R>(
  iterable: Input<T>,
  fn: Mapper<Awaited<T>, R>,
  options: MapOptions & { readonly returnExceptions: true },
): Promise<(Awaited<R> | Error)[]>;
export function map<T, R>(
  iterable: Input<T>,
  fn: Mapper<Awaited<T>, R>,
  options?: MapOptions & { readonly returnExceptions?: false },
): Promise<Awaited<R>[]>;
export function map<T, R>(
  iterable: Input<T>,
  fn: Mapper<Awaited<T>, R>,
  options?: MapOptions,
): Promise<(Awaited<R> | Error)[]>;
export function map<T, R>(
  iterable: Input<T>,
  fn: Mapper<Awaited<T>, R>,
  options?: MapOptions,
): Promise<unknown[]> {
  validateMapArguments(iterable, fn);
  const common = readCommonOptions(options);
  return new Promise((resolve, reject) => {
    new ArrayMapRun(iterable, fn, common, resolve, reject).start();
  });
}

class ArrayMapRun<T, R> extends MapRun<T, R> {
  readonly #results: unknown[];

  constructor(
    source: unknown,
    fn: Mapper<T, R>,
    options: ConstructorParameters<typeof MapRun<T, R>>[2],
    readonly resolve: (results: unknown[]) => void,
    readonly reject: (error: unknown) => void,
  ) {
    super(source, fn, options, Number.POSITIVE_INFINITY);
    this.#results = Array.isArray(source) ? new Array(source.length) : [];
  }

  protected store(index: number, value: unknown): void {
    this.#results[index] = value;
  }

  protected complete(): void {
    this.#results.length = this.pulled;
    this.resolve(this.#results);
  }

  protected failed(error: unknown): void {
    this.reject(error);
  }
}
