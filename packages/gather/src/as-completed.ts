import { type AbortSubscription, asyncDispose, onAbort } from '@x/internal';
import { AbortError, abortedBySibling } from './errors.js';
import { Running } from './guard.js';
import { observeAll } from './observe.js';
import { OpsRun } from './run-ops.js';
import { sharedController } from './shared-controller.js';
import type { FulfilledOf, Operation, SettledOf } from './types.js';
import { type CommonOptions, readCommonOptions, toOperations } from './validate.js';

/** Options of {@link asCompleted}. */
export interface AsCompletedOptions {
  /**
   * Yield failures as `{ index, status: 'rejected', reason }` records instead of throwing the first one.
   * @default false
   */
  readonly returnExceptions?: boolean;
  /**
   * At most this many function operations run at once (an integer >= 1, or `Infinity`).
   * @default Infinity
   */
  readonly concurrency?: number;
  /** Aborting it aborts every operation; the loop then throws `signal.reason`, unchanged. */
  readonly signal?: AbortSignal;
  /**
   * Milliseconds each operation may take (> 0, or `Infinity`); one still pending then has its signal aborted with
   * a `TimeoutError` and fails with it, as in `gather`.
   * @default Infinity
   */
  readonly timeout?: number;
  /**
   * When the loop gives up on operations (a failure, `signal`, leaving it early), end it (throw, or resolve
   * `return()`) only once every function operation it started has really settled.
   * @default false
   */
  readonly waitForStop?: boolean;
}

type Ops = readonly Operation[] | Iterable<Operation>;

/** The iterator {@link asCompleted} returns; also `await using`-disposable (disposing = leaving the loop). */
export interface CompletionIterator<T> extends AsyncIterableIterator<T>, AsyncDisposable {
  [Symbol.asyncIterator](): CompletionIterator<T>;
  return(): Promise<IteratorResult<T, undefined>>;
}

/**
 * Yields each operation's outcome as soon as it settles, in completion order, as `{ index, status, value }` records.
 *
 * Why records and not bare values: to show "each API's answer as it arrives" you need to know *which* API
 * answered, and `index` says so (for tuples it is a literal type, so `if (r.index === 0)` narrows `r.value`).
 * The shape is `Promise.allSettled`'s, so the same code handles both modes. By default the first failure aborts the
 * others (their signal gets an `AbortError` with the failure as `cause`) and the loop throws it; with
 * `returnExceptions: true` failures are yielded as `'rejected'` records and the loop runs to the end. Leaving the
 * loop early (`break`, `return`, a throw) aborts what is still running. Operations start on the first `next()`.
 *
 * @example
 * ```ts
 * const apis = [(s) => weather(s), (s) => news(s), (s) => stocks(s)] as const;
 * for await (const { index, value } of asCompleted(apis)) render(index, value);
 * ```
 * Like Python's `asyncio.as_completed`, with the position of each result and cancellation on exit.
 */
export function asCompleted<const O extends Ops>(
  ops: O,
  options: AsCompletedOptions & { readonly returnExceptions: true },
): CompletionIterator<SettledOf<O>>;
export function asCompleted<const O extends Ops>(
  ops: O,
  options?: AsCompletedOptions & { readonly returnExceptions?: false },
): CompletionIterator<FulfilledOf<O>>;
export function asCompleted<const O extends Ops>(
  ops: O,
  options?: AsCompletedOptions,
): CompletionIterator<SettledOf<O>>;
export function asCompleted(ops: unknown, options?: AsCompletedOptions): CompletionIterator<unknown> {
  const list = toOperations(ops);
  return new Completion(list, readCommonOptions(options));
}

type Record =
  | { index: number; status: 'fulfilled'; value: unknown }
  | { index: number; status: 'rejected'; reason: unknown };
type Waiter = { resolve: (r: IteratorResult<unknown, undefined>) => void; reject: (e: unknown) => void };

const DONE: IteratorResult<unknown, undefined> = Object.freeze({ done: true, value: undefined });

class Completion implements CompletionIterator<unknown> {
  #run: OpsRun | undefined;
  #controller: AbortController | undefined;
  /** Records not yet consumed, from `#head` on (an index, not `shift()`: see `#shiftRecord`). */
  #queue: Array<Record | undefined> = [];
  #head = 0;
  #waiters: Waiter[] = [];
  #remaining: number;
  /** Set once nothing more will be produced; `#error` (if any) is thrown once, then the iterator is done. */
  #finished = false;
  #hasError = false;
  #error: unknown;
  /** waitForStop: the operations started and not yet really settled. */
  readonly #running: Running | undefined;
  /** waitForStop: the run has ended but its end (done or the error) waits until `#running` is idle. */
  #holding = false;
  /** `return()` was called: nothing more is delivered, not even a held error. */
  #returned = false;
  private readonly signal: AbortSignal | undefined;

  constructor(
    private readonly ops: readonly unknown[],
    private readonly options: CommonOptions,
  ) {
    this.#remaining = ops.length;
    this.signal = options.signal;
    this.#running = options.waitForStop ? new Running() : undefined;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<unknown, undefined>> {
    if (this.#run === undefined && !this.#finished) this.#start();
    const record = this.#shiftRecord();
    if (record !== undefined) return Promise.resolve({ done: false, value: record });
    if (this.#hasError) {
      this.#hasError = false;
      const error = this.#error;
      this.#error = undefined;
      return Promise.reject(error);
    }
    if (this.#finished && !this.#holding) return Promise.resolve(DONE);
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  return(): Promise<IteratorResult<unknown, undefined>> {
    // Left before the first next(): nothing was started, but promises handed to us are running anyway.
    if (this.#run === undefined && !this.#finished) {
      this.#finished = true;
      observeAll(this.ops);
    }
    this.#stop(new AbortError('The asCompleted() loop ended before every operation settled.'));
    this.#clearQueue();
    this.#hasError = false;
    this.#error = undefined;
    this.#returned = true;
    this.#holding = false;
    for (const w of this.#waiters.splice(0)) w.resolve(DONE);
    const running = this.#running;
    if (running !== undefined && running.count > 0) return running.idle().then(() => DONE);
    return Promise.resolve(DONE);
  }

  async [asyncDispose](): Promise<void> {
    await this.return();
  }

  #subscription: AbortSubscription | undefined = undefined;

  readonly #onAbort = (reason: unknown) => {
    this.#clearQueue();
    this.#failAndStop(reason, reason);
  };

  /** Ends the run with `error`, aborting what is still running with `reason`. */
  #failAndStop(error: unknown, reason: unknown): void {
    const running = this.#running;
    if (running === undefined || running.count === 0) {
      this.#fail(error);
      this.#stop(reason);
      return;
    }
    // waitForStop: abort now, but deliver the error only once everything has stopped.
    this.#holding = true;
    this.#stop(reason);
    running.whenIdle(() => {
      this.#holding = false;
      if (!this.#returned) this.#fail(error);
    });
  }

  #start(): void {
    if (this.signal?.aborted) {
      observeAll(this.ops);
      this.#finished = true;
      this.#hasError = true;
      this.#error = this.signal.reason;
      return;
    }
    if (this.ops.length === 0) {
      this.#finished = true;
      return;
    }
    const controller = (this.#controller = sharedController());
    const run = (this.#run = new OpsRun(this.ops, controller.signal, (index, ok, value) => {
      if (run.stopped) return;
      this.#remaining--;
      if (ok) this.#push({ index, status: 'fulfilled', value });
      else if (this.options.returnExceptions) this.#push({ index, status: 'rejected', reason: value });
      else {
        this.#failAndStop(value, abortedBySibling(value));
        return;
      }
      if (this.#remaining === 0) this.#complete();
    }));
    run.timeout = this.options.timeout;
    run.running = this.#running;
    if (this.signal !== undefined) this.#subscription = onAbort(this.signal, this.#onAbort);
    run.start(this.options.concurrency);
  }

  /**
   * `Array#shift` is O(n) once an array's backing store is in V8's large-object space (about 16,000 elements),
   * which made draining 100,000 records quadratic; a head index keeps it O(1), compacting now and then.
   */
  #shiftRecord(): Record | undefined {
    const queue = this.#queue;
    if (this.#head >= queue.length) return undefined;
    const record = queue[this.#head];
    queue[this.#head++] = undefined;
    if (this.#head === queue.length) this.#clearQueue();
    else if (this.#head >= 1024 && this.#head * 2 >= queue.length) {
      queue.splice(0, this.#head);
      this.#head = 0;
    }
    return record;
  }

  #clearQueue(): void {
    this.#queue.length = 0;
    this.#head = 0;
  }

  #push(record: Record): void {
    const waiter = this.#waiters.shift();
    if (waiter) waiter.resolve({ done: false, value: record });
    else this.#queue.push(record);
  }

  /** Delivers `error` after the records already queued, then ends the iteration. */
  #fail(error: unknown): void {
    const waiter = this.#waiters.shift();
    if (waiter) waiter.reject(error);
    else {
      this.#hasError = true;
      this.#error = error;
    }
    for (const w of this.#waiters.splice(0)) w.resolve(DONE);
  }

  /** Every operation settled; with waitForStop, one that timed out may still be stopping. */
  #complete(): void {
    const running = this.#running;
    if (running === undefined || running.count === 0) {
      this.#stop(undefined);
      return;
    }
    this.#holding = true;
    this.#stop(undefined);
    running.whenIdle(() => {
      this.#holding = false;
      for (const w of this.#waiters.splice(0)) w.resolve(DONE);
    });
  }

  /** Ends the run; `reason` (if given) aborts whatever is still running. */
  #stop(reason: unknown): void {
    if (this.#finished) return;
    this.#finished = true;
    if (this.#run) this.#run.stopped = true;
    this.#subscription?.unsubscribe();
    if (reason !== undefined && this.#remaining > 0) this.#controller?.abort(reason);
    if (!this.#holding) for (const w of this.#waiters.splice(0)) w.resolve(DONE);
  }
}
