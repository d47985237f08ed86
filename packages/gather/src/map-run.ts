import { type AbortSubscription, invalidArgType, onAbort } from '@x/internal';
import { AbortError, abortedBySibling } from './errors.js';
import { callCounted, callWithTimeout, Running } from './guard.js';
import { ignore, observeAll } from './observe.js';
import { sharedController } from './shared-controller.js';
import { type CommonOptions, isThenable, validateFunction } from './validate.js';

/** What {@link map}'s and {@link mapStream}'s `fn` receives besides the item. */
export interface MapContext {
  /** The item's position in the input. */
  readonly index: number;
  /** Aborted when the map gives up (a failure in fail-fast mode, the caller's signal, the consumer left). */
  readonly signal: AbortSignal;
}

/**
 * The function {@link map} and {@link mapStream} call for each item; it should stop when `context.signal` aborts.
 *
 * @example
 * ```ts
 * const fetchUser: Mapper<number, User> = (id, { signal }) => fetch(`/users/${id}`, { signal }).then((r) => r.json());
 * ```
 */
export type Mapper<T, R> = (item: T, context: MapContext) => R | PromiseLike<R>;

const DONE: unique symbol = Symbol('done');
type Pulled<T> = { item: T; index: number } | typeof DONE;

/**
 * The pull loop behind `map` and `mapStream`: up to `concurrency` lanes, each pulling the next item from the
 * source, calling `fn` and awaiting it, so an item costs one `await` and no per-item closure, and the source is
 * never read further ahead than the lanes (plus, for streams, the consumer's window) allow.
 */
export abstract class MapRun<T, R> {
  readonly controller = sharedController();
  stopped = false;
  /** Items taken from the source so far (= the next index). */
  pulled = 0;
  /** Items the consumer has taken (streams); lanes stop pulling when `pulled - consumed` reaches `window`. */
  consumed = 0;
  lanes = 0;
  sourceDone = false;
  #spawning = false;
  #toSpawn = 0;
  #array: ArrayLike<T> | undefined;
  #iterator: Iterator<T> | undefined;
  #asyncIterator: AsyncIterator<T> | undefined;
  #pullTail: Promise<Pulled<T>> | undefined;
  #space: { promise: Promise<void>; resolve: () => void } | undefined;
  /** Set for `waitForStop`: the calls started and not yet really settled. */
  readonly running: Running | undefined;

  constructor(
    readonly source: unknown,
    readonly fn: Mapper<T, R>,
    readonly options: CommonOptions,
    readonly window: number,
  ) {
    this.running = options.waitForStop ? new Running() : undefined;
  }

  /** Reports the outcome at once, or with `waitForStop` once every call has really settled. */
  #report(fn: () => void): void {
    if (this.running === undefined) fn();
    else this.running.whenIdle(fn);
  }

  /** Called with each result (or, with `returnExceptions`, each error) at its index. */
  protected abstract store(index: number, value: unknown): void;
  /** Called once, when every item has been processed and the source is exhausted. */
  protected abstract complete(): void;
  /** Called once, with the failure, the source's error or the caller's `signal.reason`. */
  protected abstract failed(error: unknown): void;

  #subscription: AbortSubscription | undefined = undefined;
  readonly #onAbort = (reason: unknown) => this.abort(reason, reason);

  start(): void {
    const signal = this.options.signal;
    if (signal?.aborted) {
      this.stopped = true;
      this.failed(signal.reason);
      return;
    }
    const source = this.source;
    if (Array.isArray(source)) this.#array = source as T[];
    else if (typeof (source as AsyncIterable<T>)[Symbol.asyncIterator] === 'function')
      this.#asyncIterator = (source as AsyncIterable<T>)[Symbol.asyncIterator]();
    else this.#iterator = (source as Iterable<T>)[Symbol.iterator]();
    if (signal !== undefined) this.#subscription = onAbort(signal, this.#onAbort);
    this.requestLane();
  }

  /** Stops everything: aborts running items with `reason`, closes the source, reports `error`. */
  abort(reason: unknown, error: unknown): void {
    if (this.stopped) return;
    this.stopped = true;
    this.#subscription?.unsubscribe();
    this.controller.abort(reason);
    this.#closeSource();
    this.#wake();
    this.#report(() => this.failed(error));
  }

  /** The consumer took an item: lanes waiting for room may pull again. */
  advance(): void {
    this.consumed++;
    if (this.#space !== undefined) this.#wake();
  }

  /** Adds a lane if there is room; lanes started from inside a lane are trampolined, so the stack stays flat. */
  requestLane(): void {
    if (this.lanes >= this.options.concurrency || this.sourceDone || this.stopped) return;
    this.lanes++;
    if (this.#spawning) {
      this.#toSpawn++;
      return;
    }
    this.#spawning = true;
    void mapLane(this);
    while (this.#toSpawn > 0) {
      this.#toSpawn--;
      void mapLane(this);
    }
    this.#spawning = false;
  }

  laneExited(): void {
    if (--this.lanes === 0 && !this.stopped) {
      this.stopped = true;
      this.#subscription?.unsubscribe();
      // A call that timed out may still be stopping after its lane moved on.
      this.#report(() => this.complete());
    }
  }

  /** Calls `fn` for one item, under the per-call deadline and `waitForStop`'s count when they are set. */
  call(item: T, index: number, signal: AbortSignal): unknown {
    const timeout = this.options.timeout;
    if (timeout === Number.POSITIVE_INFINITY && this.running === undefined)
      return this.fn(item, { index, signal });
    const call = (signal: AbortSignal) => this.fn(item, { index, signal });
    return timeout !== Number.POSITIVE_INFINITY
      ? callWithTimeout(call, signal, timeout, this.running)
      : callCounted(call, signal, this.running!);
  }

  /** Records one item's outcome; in fail-fast mode a failure stops the run. */
  settle(index: number, ok: boolean, value: unknown): void {
    if (this.stopped) return;
    if (ok || this.options.returnExceptions) this.store(index, value);
    else this.abort(abortedBySibling(value), value);
  }

  /** Whether the source is read with `await` (`pullAsync`) rather than inline (`pullSync`). */
  get isAsync(): boolean {
    return this.#asyncIterator !== undefined;
  }

  /** The item `pullSync` took, and its index: read at once by the lane that pulled it. */
  item: T | undefined = undefined;
  index = 0;

  /**
   * Takes the next item of a sync source into `item`/`index` (no record allocated per item: the lane reads them
   * before anything else can pull); false when there is none.
   */
  pullSync(): boolean {
    if (this.stopped || this.sourceDone) return false;
    const array = this.#array;
    if (array !== undefined) {
      if (this.pulled >= array.length) {
        this.sourceDone = true;
        return false;
      }
      this.index = this.pulled++;
      this.item = array[this.index];
      return true;
    }
    let result: IteratorResult<T>;
    try {
      result = this.#iterator!.next();
    } catch (error) {
      this.#sourceFailed(error);
      return false;
    }
    if (result.done) {
      this.sourceDone = true;
      return false;
    }
    this.index = this.pulled++;
    this.item = result.value;
    return true;
  }

  /** Next item of an async source, or DONE: one `next()` at a time, in order, whichever lane asks. */
  pullAsync(): Promise<Pulled<T>> {
    const tail = this.#pullTail;
    return (this.#pullTail = tail === undefined ? this.#pullAsync() : tail.then(this.#pullAsync));
  }

  readonly #pullAsync = async (): Promise<Pulled<T>> => {
    if (this.stopped || this.sourceDone) return DONE;
    let result: IteratorResult<T>;
    try {
      result = await this.#asyncIterator!.next();
    } catch (error) {
      this.#sourceFailed(error);
      return DONE;
    }
    if (result.done) {
      this.sourceDone = true;
      return DONE;
    }
    return { item: result.value, index: this.pulled++ };
  };

  /** Resolves when the consumer makes room (or the run stops). */
  space(): Promise<void> {
    if (this.#space === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.#space = { promise, resolve };
    }
    return this.#space.promise;
  }

  #wake(): void {
    const space = this.#space;
    if (space !== undefined) {
      this.#space = undefined;
      space.resolve();
    }
  }

  #sourceFailed(error: unknown): void {
    this.sourceDone = true; // an iterator that threw is finished; do not call its return()
    this.abort(
      new AbortError('Aborted because the input iterable threw. See `cause`.', { cause: error }),
      error,
    );
  }

  #closeSource(): void {
    // Promise items of an array that no lane will reach are given up on: never leave them to reject unhandled.
    const array = this.#array;
    if (array !== undefined && this.pulled < array.length)
      observeAll(Array.prototype.slice.call(array, this.pulled));
    if (this.sourceDone) return;
    this.sourceDone = true;
    try {
      const closing = (this.#iterator ?? this.#asyncIterator)?.return?.();
      if (isThenable(closing)) Promise.resolve(closing).then(undefined, ignore);
    } catch {
      // The run already failed with the error that matters; a source that also fails to close adds nothing.
    }
  }
}

async function mapLane<T, R>(run: MapRun<T, R>): Promise<void> {
  const fn = run.fn;
  const signal = run.controller.signal;
  const guarded = run.running !== undefined || run.options.timeout !== Number.POSITIVE_INFINITY;
  const isAsync = run.isAsync;
  try {
    while (!run.stopped) {
      if (run.pulled - run.consumed >= run.window) {
        await run.space();
        continue;
      }
      let item: unknown;
      let index: number;
      if (isAsync) {
        if (run.stopped || run.sourceDone) return;
        const next = await run.pullAsync();
        if (next === DONE) return;
        item = next.item;
        index = next.index;
      } else {
        if (!run.pullSync()) return;
        item = run.item;
        index = run.index;
        run.item = undefined; // the run must not keep an item alive once its lane has it
      }
      let ok = true;
      let value: unknown;
      try {
        // A promise item is awaited before `fn` sees it (p-map's and `for await`'s rule); while it is pending it
        // holds this lane's slot, and its rejection is this item's failure.
        if (isThenable(item)) {
          run.requestLane();
          item = await item;
          if (run.stopped) break;
        }
        value = guarded ? run.call(item as T, index, signal) : fn(item as T, { index, signal });
        if (isThenable(value)) {
          run.requestLane();
          value = await value;
        }
      } catch (error) {
        ok = false;
        value = error;
      }
      run.settle(index, ok, value);
    }
  } finally {
    run.laneExited();
  }
}

/** Validates map's and mapStream's positional arguments. */
export function validateMapArguments(iterable: unknown, fn: unknown): void {
  if (
    iterable == null ||
    (typeof (iterable as Iterable<unknown>)[Symbol.iterator] !== 'function' &&
      typeof (iterable as AsyncIterable<unknown>)[Symbol.asyncIterator] !== 'function')
  )
    throw invalidArgType('iterable', 'an array, an iterable or an async iterable', iterable);
  validateFunction(fn, 'fn');
}
