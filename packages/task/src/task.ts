import {
  type AbortSubscription,
  isCancellation,
  onAbort,
  validateObject,
  validateSignal,
  wantsSignal,
} from '@x/internal';
import { AbortError, InvalidStateError } from './errors.js';
import { type PendingReport, retrieved, track } from './unretrieved.js';
import { validateFunction, validateName } from './validate.js';

/** Work a task runs: called at once with the task's signal; abort-aware work stops when it aborts. */
export type TaskFunction<T> = (signal: AbortSignal) => T | PromiseLike<T>;

/** Options of {@link createTask}. */
export interface TaskOptions {
  /** Shown in errors and reports. Default: `Task-<n>`, numbered in creation order (asyncio's naming). */
  name?: string;
  /** Cancels the task when it aborts, with `signal.reason` unchanged. Default: none. */
  signal?: AbortSignal;
}

/** @internal The hook by which a `TaskGroup` hears that one of its children has settled. */
export const childSettled: unique symbol = Symbol('childSettled');

/** @internal */
export interface TaskOwner {
  [childSettled](task: Task<unknown>, failed: boolean, error: unknown): void;
}

const PENDING = 0;
const FULFILLED = 1;
const REJECTED = 2;
const CANCELLED = 3;
const OUTCOME = 3;
/** Flag bit beside the outcome: the failure was looked at (awaited, `result()`, `exception()`, a group). */
const RETRIEVED = 4;

let unnamed = 0;

/** The parts of a task most tasks never use, allocated on first use to keep a task small. */
interface Extra {
  controller: AbortController | undefined;
  /** Set (never to undefined) once cancellation was requested. */
  reason: unknown;
  /** The subscription to the caller's `options.signal`, dropped when the task settles. */
  outer: AbortSubscription | undefined;
  // `any` keeps Task covariant in T (a Task<number> is a Task<unknown>), as a promise is.
  callbacks: Array<(task: Task<any>) => void> | undefined;
  report: PendingReport | undefined;
}

const newExtra = (): Extra => ({
  controller: undefined,
  reason: undefined,
  outer: undefined,
  callbacks: undefined,
  report: undefined,
});

/**
 * @internal Symbol-keyed rather than `#private`: the settle closures call it once per task, and calls to
 * private methods from closures measured about twice as slow on Node 20.
 */
const settle: unique symbol = Symbol('settle');

/**
 * A running piece of work: awaitable like a promise, cancellable through its `AbortSignal`, and inspectable
 * like an asyncio `Task`. Create one with {@link createTask} or `TaskGroup#spawn`.
 *
 * A task settles when its work settles, never earlier, and exactly as the work did: cancellation is
 * cooperative. `cancel()` aborts the task's signal; work that honours it rejects (a `fetch` with the reason
 * itself, Node's timers with an `AbortError` whose `cause` is the reason), and the task is then `cancelled`.
 * Work that ignores its signal finishes normally, and so does the task, as in asyncio when a coroutine
 * swallows its `CancelledError`. Nothing keeps running behind a task that reports itself done.
 *
 * @example
 * ```ts
 * const task = createTask((signal) => fetch(url, { signal }), { name: 'users' });
 * doOtherWork();
 * const response = await task;
 * ```
 * Like Python's `asyncio.Task`.
 */
export class Task<T> implements PromiseLike<T> {
  /** The work's promise; awaiting the task awaits it, so a task adds one reaction, not a promise chain. */
  readonly #work: Promise<T>;
  /** Outcome (PENDING...CANCELLED) | RETRIEVED. */
  #state = PENDING;
  /** The value or the error once settled. */
  #value: unknown = undefined;
  /** The given name, or the number of an unnamed task. */
  readonly #label: string | number;
  readonly #owner: TaskOwner | undefined;
  #extra: Extra | undefined = undefined;

  static #onFulfilled = function (this: Task<unknown>, value: unknown): void {
    // Most tasks have no side record and no group: nothing to tell anyone, so settle in place.
    if (this.#extra === undefined && this.#owner === undefined) {
      this.#value = value;
      this.#state = FULFILLED | (this.#state & RETRIEVED);
    } else this[settle](FULFILLED, value);
  };

  static #onRejected = function (this: Task<unknown>, error: unknown): void {
    this[settle](REJECTED, error);
  };

  /**
   * Starts `fn` now; prefer {@link createTask}, which is the same thing.
   * `fn` receives the task's signal when it declares any parameter (rest and default parameters included); a
   * function declared without one gets no signal created for it, and can still read `task.signal` later.
   * (`owner` is internal: the `TaskGroup` that spawned it.)
   */
  constructor(fn: TaskFunction<T>, options?: TaskOptions, owner?: TaskOwner) {
    validateFunction(fn, 'fn');
    let signal: AbortSignal | undefined;
    let name: string | undefined;
    if (options !== undefined) {
      validateObject(options, 'options');
      name = validateName(options.name);
      validateSignal(options.signal, 'options.signal');
      signal = options.signal;
    }
    this.#label = name ?? ++unnamed;
    this.#owner = owner;
    let work: Promise<T>;
    if (signal?.aborted) {
      // Cancelled before it started: the work is never called.
      (this.#extra = newExtra()).reason = signal.reason;
      work = Promise.reject(signal.reason);
    } else {
      if (signal !== undefined) {
        (this.#extra = newExtra()).outer = onAbort(signal, (reason) => this.#requestCancel(reason));
      }
      try {
        const result = wantsSignal(fn) ? fn(this.signal) : (fn as () => T | PromiseLike<T>)();
        work = result instanceof Promise ? result : Promise.resolve(result);
      } catch (error) {
        work = Promise.reject(error);
      }
    }
    this.#work = work;
    // The first reaction on the work: state is updated before any awaiter resumes, and a failure is never
    // left unhandled while nobody has awaited the task yet. Bound handlers rather than two arrow functions:
    // a bound function is smaller than a closure plus its context, and most of a task's cost is the garbage
    // collector's (10-20% less time per create + await, bench/issue19-task.mjs).
    work.then(Task.#onFulfilled.bind(this), Task.#onRejected.bind(this));
  }

  /**
   * One task that lives as long as the class. V8 holds the hidden classes ("maps") of a class's instances
   * only through live instances; once every task of a batch is collected, a full GC drops them, and all code
   * optimized for tasks is thrown away and compiled again for the next batch. With this one alive, the maps
   * stay, and `createTask` + await measured 2-3x cheaper after the first collection (issue 19). It runs
   * nothing of the caller's and is named, so unnamed tasks still count from `Task-1`.
   */
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: held, never read: it keeps the maps alive.
  static readonly #shape: Task<undefined> = new Task(() => undefined, { name: 'x-task-shape' });

  /** @internal */
  [settle](outcome: number, value: unknown): void {
    const extra = this.#extra;
    if (outcome === REJECTED && extra?.reason !== undefined && isCancellation(value, extra.reason))
      outcome = CANCELLED;
    this.#value = value;
    const failed = outcome === REJECTED;
    if (failed && this.#owner !== undefined) outcome |= RETRIEVED; // the group reports it
    this.#state = outcome | (this.#state & RETRIEVED);
    if (failed && (this.#state & RETRIEVED) === 0)
      (this.#extra ??= newExtra()).report = track(this, this.name, value);
    if (extra !== undefined) {
      const outer = extra.outer;
      if (outer !== undefined) {
        outer.unsubscribe();
        extra.outer = undefined;
      }
      const callbacks = extra.callbacks;
      if (callbacks !== undefined) {
        extra.callbacks = undefined;
        for (const callback of callbacks) this.#callDone(callback);
      }
    }
    this.#owner?.[childSettled](this, failed, value);
  }

  #callDone(callback: (task: Task<T>) => void): void {
    try {
      callback(this);
    } catch (error) {
      // A throwing callback must not stop the others or the group; it surfaces as an uncaught exception.
      queueMicrotask(() => {
        throw error;
      });
    }
  }

  #requestCancel(reason: unknown): void {
    const extra = (this.#extra ??= newExtra());
    if (extra.reason !== undefined || (this.#state & OUTCOME) !== PENDING) return;
    extra.reason = reason;
    extra.controller?.abort(reason);
  }

  #markRetrieved(): void {
    this.#state |= RETRIEVED;
    const report = this.#extra?.report;
    if (report !== undefined) {
      retrieved(report);
      this.#extra!.report = undefined;
    }
  }

  /** The task's name: `options.name`, or `Task-<n>`. */
  get name(): string {
    const label = this.#label;
    return typeof label === 'number' ? `Task-${label}` : label;
  }

  /** True once the task has settled: fulfilled, failed or cancelled. Like asyncio's `Task.done()`. */
  get done(): boolean {
    return (this.#state & OUTCOME) !== PENDING;
  }

  /** True once the task has settled because it was cancelled. Like asyncio's `Task.cancelled()`. */
  get cancelled(): boolean {
    return (this.#state & OUTCOME) === CANCELLED;
  }

  /** The signal handed to the work; it aborts, with the cancellation reason, when the task is cancelled. */
  get signal(): AbortSignal {
    const extra = (this.#extra ??= newExtra());
    let controller = extra.controller;
    if (controller === undefined) {
      controller = extra.controller = new AbortController();
      if (extra.reason !== undefined) controller.abort(extra.reason);
    }
    return controller.signal;
  }

  /**
   * Requests cancellation: aborts the task's signal with `reason` (default: an {@link AbortError}). The task
   * settles when its work does; if the work stops because of the signal, the task is `cancelled` and rejects
   * with what the work rejected with (`fetch`: `reason` itself; Node's timers: an `AbortError` whose `cause` is
   * `reason`). Returns false if the task had already settled or was already being cancelled.
   *
   * @example
   * ```ts
   * const task = createTask((signal) => sleep(10_000, { signal }));
   * task.cancel();
   * await task.catch((error) => error.name); // 'AbortError', at once: the timer was cleared
   * ```
   * Like asyncio's `Task.cancel()`.
   */
  cancel(reason?: unknown): boolean {
    if ((this.#state & OUTCOME) !== PENDING || this.#extra?.reason !== undefined) return false;
    this.#requestCancel(reason === undefined ? new AbortError(`Task '${this.name}' was cancelled.`) : reason);
    return true;
  }

  /**
   * The task's value. Throws the task's error if it failed or was cancelled, and {@link InvalidStateError} if it has not settled yet. Like asyncio's `Task.result()`.
   */
  result(): T {
    this.#assertDone('result');
    this.#markRetrieved();
    if ((this.#state & OUTCOME) === FULFILLED) return this.#value as T;
    throw this.#value;
  }

  /**
   * The task's error, or `undefined` if it succeeded. Throws the cancellation error if it was cancelled, and {@link InvalidStateError} if it has not settled yet. Like asyncio's `Task.exception()`.
   */
  exception(): unknown {
    this.#assertDone('exception');
    this.#markRetrieved();
    const outcome = this.#state & OUTCOME;
    if (outcome === CANCELLED) throw this.#value;
    return outcome === REJECTED ? this.#value : undefined;
  }

  #assertDone(method: string): void {
    if ((this.#state & OUTCOME) === PENDING)
      throw new InvalidStateError(
        `Task '${this.name}' is not done yet, so it has no ${method}. Await the task or use onDone() first.`,
      );
  }

  /**
   * Calls `callback(task)` once the task has settled (soon, if it already has). Registering a callback does
   * not count as retrieving a failure: call `task.exception()` in it. Returns a function that unregisters it.
   *
   * @example
   * ```ts
   * task.onDone((t) => console.log(t.name, t.cancelled ? 'cancelled' : t.exception() ?? 'ok'));
   * ```
   * Like asyncio's `Task.add_done_callback()`.
   */
  onDone(callback: (task: Task<T>) => void): () => void {
    validateFunction(callback, 'callback');
    if ((this.#state & OUTCOME) !== PENDING) {
      let active = true;
      queueMicrotask(() => {
        if (active) this.#callDone(callback);
      });
      return () => {
        active = false;
      };
    }
    const extra = (this.#extra ??= newExtra());
    (extra.callbacks ??= []).push(callback);
    return () => {
      const at = extra.callbacks?.indexOf(callback) ?? -1;
      if (at !== -1) extra.callbacks!.splice(at, 1);
    };
  }

  // biome-ignore lint/suspicious/noThenProperty: a Task is awaitable on purpose.
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    if ((this.#state & RETRIEVED) === 0) this.#markRetrieved();
    return this.#work.then(onfulfilled, onrejected);
  }

  catch<R = never>(onrejected?: ((reason: any) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.then(undefined, onrejected);
  }

  finally(onfinally?: (() => void) | null): Promise<T> {
    return this.then().finally(onfinally);
  }

  get [Symbol.toStringTag](): string {
    return 'Task';
  }
}

/**
 * Starts `fn(signal)` now and returns its {@link Task}: await it later, cancel it, or ask whether it is done.
 * A synchronous throw or a rejection of `fn` becomes the task's failure; a failure nobody retrieves is
 * reported (see the README's "Unobserved failures"). Throws `TypeError` for a non-function `fn` or bad options.
 *
 * @example
 * ```ts
 * const a = createTask(() => job('A', 100));
 * const b = createTask(() => job('B', 200));
 * console.log('scheduled');
 * const [ra, rb] = [await a, await b]; // ~200 ms in all
 * ```
 * Like Python's `asyncio.create_task`.
 */
export function createTask<T>(fn: TaskFunction<T>, options?: TaskOptions): Task<T> {
  return new Task(fn, options);
}
