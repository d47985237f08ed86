import type { TransferListItem } from 'node:worker_threads';
import type { AnyFunction, RemoteFunction } from './remote-function.js';

/** Options of {@link Executor.submit}. */
export interface SubmitOptions {
  /** Cancels the task: a queued task is dropped, a running one is stopped (its worker replaced if it was stuck in sync code). */
  signal?: AbortSignal;
  /** Milliseconds from submission after which the task fails with `TimeoutError` and is stopped like an abort. Default: none. */
  timeout?: number;
  /** Values among the arguments to transfer instead of copy (ArrayBuffer, MessagePort, ...). Default: none. */
  transfer?: readonly TransferListItem[];
  /**
   * Move the `ArrayBuffer`s found in the result (itself, typed arrays, inside arrays, plain objects, Maps and
   * Sets) back instead of copying them; the worker's copies are detached. Buffers that cannot move (Node's
   * shared Buffer pool) are copied. A child process always copies (IPC serializes). Default: `false`.
   */
  transferResult?: boolean;
}

/** Options of a worker pool's `submit` (`Pool`, `ThreadPool`, `ProcessPool`): {@link SubmitOptions} and more. */
export interface PoolSubmitOptions extends SubmitOptions {
  /**
   * Runs before queued tasks of a lower priority (an integer; higher first, FIFO among equals). It orders
   * the queue only: a running task is never preempted. Default: 0.
   */
  priority?: number;
  /**
   * Milliseconds the task may run, counted from the moment it is dispatched to a worker (while `timeout`
   * counts from submission); past it, the task fails with `TimeoutError` and is stopped like an abort. A task
   * with a `runTimeout` is given only to a worker with nothing else in flight, so its clock starts when it
   * starts. Default: none.
   */
  runTimeout?: number;
}

/** Options of {@link Executor.map}. */
export interface MapOptions {
  /** Most tasks in flight at once. Default: enough to keep every worker busy. */
  concurrency?: number;
  /** Yield results in input order (`true`, like Python's `Executor.map`) or as they complete. Default: `true`. */
  ordered?: boolean;
  /** Stops the iteration and cancels the tasks in flight. */
  signal?: AbortSignal;
  /** Per-task timeout in milliseconds. Default: none. */
  timeout?: number;
}

/** Options of {@link Executor.shutdown}. */
export interface ShutdownOptions {
  /** Resolve only when the accepted tasks have settled and the workers are gone. Default: `true`. */
  wait?: boolean;
  /**
   * Reject every task that has not started with an `AbortError` instead of running it: queued ones and ones
   * already sent to a worker but not begun there. A task has started once its worker has called its function;
   * started tasks always finish. Default: `false`.
   */
  cancelPending?: boolean;
}

/** Options of a worker pool's `shutdown` (`Pool`, `ThreadPool`, `ProcessPool`): {@link ShutdownOptions} and more. */
export interface PoolShutdownOptions extends ShutdownOptions {
  /**
   * Stop now: every task not settled yet, queued or running, is rejected at once with `AbortError`; running
   * tasks are told to stop (a cancellation reaches them as for an aborted `signal`), and a worker still busy
   * `grace` ms later is terminated. Implies `cancelPending`. Default: `false`.
   */
  cancelRunning?: boolean;
  /**
   * With `cancelRunning`: milliseconds a worker gets to acknowledge the cancellation of its running tasks before
   * it is terminated. Default: the pool's `cancelGrace` (20).
   */
  grace?: number;
}

/**
 * What every pool of the toolkit implements (threads, child processes, and later a distributed engine):
 * run remote code with arguments, map it over an iterable, shut down.
 *
 * @example
 * ```ts
 * async function sumSquares(executor: Executor, xs: number[]) {
 *   let total = 0;
 *   for await (const y of executor.map((x: number) => x * x, xs)) total += y;
 *   return total;
 * }
 * ```
 * Like Python's `concurrent.futures.Executor`.
 */
export interface Executor {
  /** Runs `fn(...args)` on a worker; resolves with its result or rejects with its (re-created) error. */
  submit<F extends AnyFunction>(
    fn: RemoteFunction<F>,
    args: Parameters<F>,
    options?: SubmitOptions,
  ): Promise<Awaited<ReturnType<F>>>;
  /** Runs `fn(item)` for each item, a bounded number at once; the first failure ends the iteration. */
  map<F extends (item: any) => any>(
    fn: RemoteFunction<F>,
    items: Iterable<Parameters<F>[0]> | AsyncIterable<Parameters<F>[0]>,
    options?: MapOptions,
  ): AsyncIterable<Awaited<ReturnType<F>>>;
  /** Refuses new tasks, then (by default) waits for the accepted ones and stops the workers. */
  shutdown(options?: ShutdownOptions): Promise<void>;
  /** `shutdown()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** `Symbol.asyncDispose`, or the registered symbol esbuild's `await using` looks up where the runtime lacks it. */
export { asyncDispose } from '@x/internal';
