import { isCancellation } from './cancellation.js';
import { AbortError, InvalidStateError } from './errors.js';
import { type PendingReport, retrieved, track } from './unretrieved.js';
import { validateFunction, validateName, validateOptions, validateSignal } from './validate.js';

/** Work a task runs: called at once with the task's signal; abort-aware work stops when it aborts. */
export type TaskFunction<T> = (signal: AbortSignal) => T | PromiseLike<T>;

export interface TaskOptions {
  /** Shown in errors and reports. Default: `Task-<n>`, numbered in creation order (asyncio's naming). */
  name?: string;
  /** Cancels the task when it aborts, with `signal.reason` unchanged. Default: none. */
  signal?: AbortSignal;
}

/** @internal How a `TaskGroup` hears that one of its children has settled. */
export interface TaskOwner {
  childSettled(task: Task<unknown>, failed: boolean, error: unknown): void;
}

const PENDING = 0;
const FULFILLED = 1;
const REJECTED = 2;
const CANCELLED = 3;

let created = 0;

/**
 * A running piece of work: awaitable like a promise, cancellable through its `AbortSignal`, and inspectable
 * like an asyncio `Task`. Create one with {@link createTask} or `TaskGroup#spawn`.
 *
 * A task settles when its work settles, never earlier: after `cancel()` it waits for the work to react to its
 * signal, so nothing keeps running behind a task that reports itself done. If cancellation was requested, the
 * task is cancelled (rejects with the reason) unless the work failed with an error of its own.
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
  #state = PENDING;
  /** The value, the error, or the cancellation reason, depending on #state. */
  #value: unknown = undefined;
  #name: string | undefined;
  readonly #id: number;
  // Created on first use of `signal`: an AbortSignal costs far more than the rest of a task.
  #controller: AbortController | undefined = undefined;
  #cancelRequested = false;
  #reason: unknown = undefined;
  #outer: AbortSignal | undefined = undefined;
  #onOuterAbort: (() => void) | undefined = undefined;
  #promise: Promise<T> | undefined = undefined;
  #resolve: ((value: T) => void) | undefined = undefined;
  #reject: ((reason: unknown) => void) | undefined = undefined;
  #callbacks: Array<(task: Task<T>) => void> | undefined = undefined;
  readonly #owner: TaskOwner | undefined;
  #retrieved = false;
  #report: PendingReport | undefined = undefined;

  /**
   * Starts `fn` now; prefer {@link createTask}, which is the same thing.
   * `fn` receives the task's signal when it declares a parameter (`fn.length > 0`); a function declared without
   * one can still read `task.signal` later.
   */
  constructor(fn: TaskFunction<T>, options?: TaskOptions, owner?: TaskOwner) {
    validateFunction(fn, 'fn');
    let signal: AbortSignal | undefined;
    if (options !== undefined) {
      validateOptions(options);
      this.#name = validateName(options.name);
      signal = validateSignal(options.signal);
    }
    this.#id = ++created;
    this.#owner = owner;
    if (signal !== undefined) {
      if (signal.aborted) {
        // Cancelled before it started: the work is never called.
        this.#cancelRequested = true;
        this.#reason = signal.reason;
        void this.#run(undefined);
        return;
      }
      this.#outer = signal;
      this.#onOuterAbort = () => this.#requestCancel(signal.reason);
      signal.addEventListener('abort', this.#onOuterAbort, { once: true });
    }
    let work: T | PromiseLike<T>;
    try {
      work = fn.length > 0 ? fn(this.signal) : (fn as () => T | PromiseLike<T>)();
    } catch (error) {
      work = Promise.reject(error);
    }
    void this.#run(work);
  }

  async #run(work: T | PromiseLike<T> | undefined): Promise<void> {
    let ok = true;
    let outcome: unknown;
    try {
      outcome = await work;
    } catch (error) {
      ok = false;
      outcome = error;
    }
    this.#settle(ok, outcome);
  }

  #settle(ok: boolean, outcome: unknown): void {
    if (this.#cancelRequested && (ok || isCancellation(outcome, this.#reason))) {
      this.#state = CANCELLED;
      this.#value = this.#reason;
    } else {
      this.#state = ok ? FULFILLED : REJECTED;
      this.#value = outcome;
    }
    if (this.#outer !== undefined) {
      this.#outer.removeEventListener('abort', this.#onOuterAbort!);
      this.#outer = undefined;
      this.#onOuterAbort = undefined;
    }
    if (this.#resolve !== undefined) {
      if (this.#state === FULFILLED) this.#resolve(this.#value as T);
      else this.#reject!(this.#value);
      this.#resolve = this.#reject = undefined;
    }
    const failed = this.#state === REJECTED;
    if (failed && !this.#retrieved) {
      // A group retrieves its children's failures; anyone else's are watched by the unobserved-failure policy.
      if (this.#owner !== undefined) this.#retrieved = true;
      else this.#report = track(this, this.name, this.#value);
    }
    const callbacks = this.#callbacks;
    if (callbacks !== undefined) {
      this.#callbacks = undefined;
      for (const callback of callbacks) this.#callDone(callback);
    }
    this.#owner?.childSettled(this as Task<unknown>, failed, this.#value);
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
    if (this.#cancelRequested || this.#state !== PENDING) return;
    this.#cancelRequested = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
  }

  #markRetrieved(): void {
    if (this.#retrieved) return;
    this.#retrieved = true;
    if (this.#report !== undefined) {
      retrieved(this.#report);
      this.#report = undefined;
    }
  }

  /** The task's name: `options.name`, or `Task-<n>`. */
  get name(): string {
    return this.#name ?? `Task-${this.#id}`;
  }

  /** True once the task has settled: fulfilled, failed or cancelled. Like asyncio's `Task.done()`. */
  get done(): boolean {
    return this.#state !== PENDING;
  }

  /** True once the task has settled because it was cancelled. Like asyncio's `Task.cancelled()`. */
  get cancelled(): boolean {
    return this.#state === CANCELLED;
  }

  /** The signal handed to the work; it aborts, with the cancellation reason, when the task is cancelled. */
  get signal(): AbortSignal {
    let controller = this.#controller;
    if (controller === undefined) {
      controller = this.#controller = new AbortController();
      if (this.#cancelRequested) controller.abort(this.#reason);
    }
    return controller.signal;
  }

  /**
   * Requests cancellation: aborts the task's signal with `reason` (default: an {@link AbortError}). The task
   * settles when its work does, then rejects with `reason`. Returns false if the task had already settled.
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
    if (this.#state !== PENDING) return false;
    this.#requestCancel(reason === undefined ? new AbortError(`Task '${this.name}' was cancelled.`) : reason);
    return true;
  }

  /**
   * The task's value. Throws the task's error if it failed, its cancellation reason if it was cancelled,
   * and {@link InvalidStateError} if it has not settled yet. Like asyncio's `Task.result()`.
   */
  result(): T {
    this.#assertDone('result');
    this.#markRetrieved();
    if (this.#state === FULFILLED) return this.#value as T;
    throw this.#value;
  }

  /**
   * The task's error, or `undefined` if it succeeded. Throws its cancellation reason if it was cancelled,
   * and {@link InvalidStateError} if it has not settled yet. Like asyncio's `Task.exception()`.
   */
  exception(): unknown {
    this.#assertDone('exception');
    this.#markRetrieved();
    if (this.#state === CANCELLED) throw this.#value;
    return this.#state === REJECTED ? this.#value : undefined;
  }

  #assertDone(method: string): void {
    if (this.#state === PENDING)
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
    if (this.#state !== PENDING) {
      let active = true;
      queueMicrotask(() => {
        if (active) this.#callDone(callback);
      });
      return () => {
        active = false;
      };
    }
    const callbacks = (this.#callbacks ??= []);
    callbacks.push(callback);
    return () => {
      const at = this.#callbacks?.indexOf(callback) ?? -1;
      if (at !== -1) this.#callbacks!.splice(at, 1);
    };
  }

  // biome-ignore lint/suspicious/noThenProperty: a Task is awaitable on purpose.
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    this.#markRetrieved();
    let promise = this.#promise;
    if (promise === undefined) {
      const state = this.#state;
      if (state === PENDING)
        promise = new Promise<T>((resolve, reject) => {
          this.#resolve = resolve;
          this.#reject = reject;
        });
      else promise = state === FULFILLED ? Promise.resolve(this.#value as T) : Promise.reject(this.#value);
      this.#promise = promise;
    }
    return promise.then(onfulfilled, onrejected);
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
