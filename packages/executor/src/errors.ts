import { brandErrorClass } from '@x/internal';

/**
 * Every error class of @x/executor. The worker packages (@x/to-thread, @x/process-pool, @x/sync-bridge)
 * throw these, so a caller can handle a crashed thread and a crashed child process the same way.
 */

/** Options accepted by every error class here. */
export interface XErrorOptions {
  cause?: unknown;
}

/**
 * The work was cancelled: the caller aborted the signal it passed, or the pool was shut down with
 * `cancelPending: true`. When the caller's own `signal.reason` exists it is rejected with unchanged instead.
 *
 * @example
 * ```ts
 * try { await pool.submit(fn, [], { signal }); } catch (e) { if ((e as Error).name === 'AbortError') {} }
 * ```
 * Like Python's `asyncio.CancelledError`.
 */
export class AbortError extends Error {
  static {
    brandErrorClass(this, 'ERR_X_ABORTED');
  }

  override name = 'AbortError' as const;
  readonly code = 'ERR_X_ABORTED' as const;
  constructor(message = 'The operation was aborted.', options?: XErrorOptions) {
    super(message, options);
  }
}

/**
 * A task ran longer than its `timeout`; its worker was stopped (and replaced) if it was still running it.
 *
 * @example
 * ```ts
 * await pool.submit(slow, [], { timeout: 1000 }).catch((e) => e.name === 'TimeoutError');
 * ```
 * Like Python's `TimeoutError` raised by `asyncio.wait_for`.
 */
export class TimeoutError extends Error {
  static {
    brandErrorClass(this, 'ERR_X_TIMEOUT');
  }

  override name = 'TimeoutError' as const;
  readonly code = 'ERR_X_TIMEOUT' as const;
  /** The deadline that passed, in milliseconds. */
  readonly timeout: number;
  constructor(timeout: number, message?: string, options?: XErrorOptions) {
    super(
      message ?? `The task did not finish within its timeout of ${timeout} ms, so it was stopped.`,
      options,
    );
    this.timeout = timeout;
  }

  /**
   * The same as `timeout`, under the name @x/timeout's `TimeoutError` uses: the two classes are one identity
   * (`instanceof` either holds for both), so each has the other's field too.
   */
  get ms(): number {
    return this.timeout;
  }
}

/**
 * The worker (thread or child process) running a task died: it called `process.exit`, was killed by a
 * signal, ran out of memory or threw an uncaught error. Only the tasks that were running on it fail with
 * this error; the worker is replaced and the pool keeps serving.
 *
 * @example
 * ```ts
 * try { await toThread(() => process.exit(3)); } catch (e) { e.exitCode === 3; }
 * ```
 * Python's counterpart is `BrokenProcessPool`, which breaks the whole pool; here only the task fails.
 */
export class WorkerCrashedError extends Error {
  static {
    brandErrorClass(this, 'ERR_X_WORKER_CRASHED');
  }

  override name = 'WorkerCrashedError' as const;
  readonly code = 'ERR_X_WORKER_CRASHED' as const;
  /** The exit code of the worker, or null when it was killed by a signal. */
  readonly exitCode: number | null;
  /** The signal that killed the worker (child processes only), or null. */
  readonly signal: string | null;
  constructor(
    exitCode: number | null,
    signal: string | null = null,
    message?: string,
    options?: XErrorOptions,
  ) {
    const how = signal ? `was killed by signal ${signal}` : `exited with code ${exitCode}`;
    const why =
      options?.cause instanceof Error
        ? ` (${(options.cause as Error).name}: ${(options.cause as Error).message})`
        : '';
    super(
      message ??
        `The worker running this task ${how}${why} before the task finished. The worker was replaced; retry the task if it is safe to run again.`,
      options,
    );
    this.exitCode = exitCode;
    this.signal = signal;
  }
}

/**
 * `submit` was called while the pool's queue already held `maxQueue` waiting tasks.
 *
 * @example
 * ```ts
 * const pool = new ThreadPool({ maxQueue: 100 });
 * pool.submit(fn, []).catch((e) => e.code === 'ERR_X_QUEUE_FULL');
 * ```
 * Python's executors have no bound; this is back-pressure: wait for some tasks and retry.
 */
export class QueueFullError extends Error {
  static {
    brandErrorClass(this, 'ERR_X_QUEUE_FULL');
  }

  override name = 'QueueFullError' as const;
  readonly code = 'ERR_X_QUEUE_FULL' as const;
  /** The `maxQueue` limit that was reached. */
  readonly maxQueue: number;
  constructor(maxQueue: number, options?: XErrorOptions) {
    super(
      `The task queue is full (maxQueue: ${maxQueue}). Wait for running tasks to settle before submitting more, or raise maxQueue.`,
      options,
    );
    this.maxQueue = maxQueue;
  }
}

/**
 * The pool was shut down: new tasks are refused, and with `shutdown({ cancelPending: true })` the tasks
 * still waiting in the queue are rejected with this error.
 *
 * @example
 * ```ts
 * await pool.shutdown();
 * await pool.submit(fn, []).catch((e) => e.code === 'ERR_X_POOL_CLOSED');
 * ```
 * Like the `RuntimeError` Python's `Executor.submit` raises after `shutdown()`.
 */
export class PoolClosedError extends Error {
  static {
    brandErrorClass(this, 'ERR_X_POOL_CLOSED');
  }

  override name = 'PoolClosedError' as const;
  readonly code = 'ERR_X_POOL_CLOSED' as const;
  constructor(
    message = 'The pool has been shut down; it accepts no new tasks. Create a new pool.',
    options?: XErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * A value could not be sent to or from a worker by structured clone (a function, a symbol, a class
 * with native state, ...). The message names the position (`argument 2`, `the result`); nothing was sent
 * and the worker stays healthy.
 *
 * @example
 * ```ts
 * await toThread((f) => f, () => 1).catch((e) => e.code === 'ERR_X_DATA_CLONE'); // argument 1
 * ```
 * Python's counterpart is the `PicklingError` of `ProcessPoolExecutor`.
 */
export class DataCloneError extends Error {
  static {
    brandErrorClass(this, 'ERR_X_DATA_CLONE');
  }

  override name = 'DataCloneError' as const;
  readonly code = 'ERR_X_DATA_CLONE' as const;
  /** Where the value was: `argument 1`, `the result`, ... */
  readonly position: string;
  /** `options.advice` replaces the closing advice (a transport with other rules than structured clone). */
  constructor(position: string, detail: string, options?: XErrorOptions & { advice?: string }) {
    const advice =
      options?.advice ??
      'Only structured-cloneable values (primitives, plain objects, arrays, Map, Set, Date, typed arrays, errors, ...) can cross a thread or process boundary; pass plain data instead.';
    super(
      `Cannot send ${position} ${/^(argument|the argument|options)/.test(position) ? 'to' : 'back from'} the worker: ${detail} ${advice}`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.position = position;
  }
}

/**
 * A self-contained function used a variable of the caller's scope, which does not exist in the worker.
 * This is a `ReferenceError` (so `instanceof ReferenceError` holds) with an explanation and the
 * original error as `cause`.
 *
 * @example
 * ```ts
 * const n = 3;
 * await toThread(() => n * 2).catch((e) => e.code === 'ERR_X_CAPTURED_VARIABLE');
 * ```
 * Python pickles functions by name and has no counterpart; `multiprocessing` fails similarly.
 */
export class CapturedVariableError extends ReferenceError {
  static {
    brandErrorClass(this, 'ERR_X_CAPTURED_VARIABLE');
  }

  override name = 'ReferenceError' as const;
  readonly code = 'ERR_X_CAPTURED_VARIABLE' as const;
  /** The identifier that was not defined in the worker. */
  readonly identifier: string;
  constructor(identifier: string, options?: XErrorOptions) {
    super(
      `${identifier} is not defined in the worker. The function runs in another thread or process and cannot see variables of the scope that created it; pass "${identifier}" as an argument, or import it inside the function with await import(...), or use fromModule().`,
      options,
    );
    this.identifier = identifier;
  }
}

/**
 * `taskSignal()` was called where no task of a pool is running: in the main thread, in a worker between
 * tasks, or (in a worker running several tasks at once) after an `await` in a task whose worker could not
 * tell which task it belongs to.
 *
 * @example
 * ```ts
 * try { taskSignal(); } catch (e) { (e as Error).name === 'OutsideTaskError'; }
 * ```
 * Python has no counterpart: a cancelled `concurrent.futures` task cannot see that it was cancelled.
 */
export class OutsideTaskError extends Error {
  static {
    brandErrorClass(this, 'ERR_X_OUTSIDE_TASK');
  }

  override name = 'OutsideTaskError' as const;
  readonly code = 'ERR_X_OUTSIDE_TASK' as const;
  constructor(message?: string, options?: XErrorOptions) {
    super(
      message ??
        'taskSignal() was called outside a task. Call it inside a function run by a pool (submit, stream, map, toThread), for example at the start of the task, before its first await.',
      options,
    );
  }
}

/**
 * The runtime cannot do what this package needs: a Node API its Node compatibility lacks (Bun ignores
 * `worker_threads` `resourceLimits`), or a Deno permission the process was not given. Thrown at once, by the
 * constructor or the first call, so the work never hangs or silently runs without the guarantee.
 * `runtime` names the runtime and version, `feature` what is missing, `permission` the Deno flag (if any).
 *
 * @example
 * ```ts
 * try { new ThreadPool(); } catch (e) { if ((e as Error).name === 'RuntimeSupportError') console.error((e as Error).message); }
 * ```
 */
export class RuntimeSupportError extends Error {
  static {
    brandErrorClass(this, 'ERR_X_RUNTIME_UNSUPPORTED');
  }

  override name = 'RuntimeSupportError' as const;
  readonly code = 'ERR_X_RUNTIME_UNSUPPORTED' as const;
  readonly runtime: string;
  readonly feature: string;
  readonly permissions: readonly string[];
  constructor(
    message: string,
    details: { runtime: string; feature: string; permissions?: readonly string[] },
    options?: XErrorOptions,
  ) {
    super(message, options);
    this.runtime = details.runtime;
    this.feature = details.feature;
    this.permissions = details.permissions ?? [];
  }
}

/**
 * A pool's `initializer` threw in a new worker (thread or child process), so no task ran there (its tasks
 * go to the next one). Once three workers in a row threw the same error, with none started since, every
 * waiting task fails at once with a `WorkerCrashedError` whose `cause` is this error; each further worker
 * starts after a growing delay (up to 10 s) instead of the pool respawning in a loop. `cause` is the
 * initializer's own error.
 *
 * @example
 * ```ts
 * try {
 *   await pool.submit(task, []);
 * } catch (error) {
 *   if (error instanceof WorkerCrashedError && error.cause instanceof InitializerError) console.error(error.cause.cause);
 * }
 * ```
 * Python's counterpart is the `BrokenProcessPool` that a failed `ProcessPoolExecutor(initializer=...)` raises.
 */
export class InitializerError extends Error {
  static {
    brandErrorClass(this, 'ERR_X_INITIALIZER');
  }

  override readonly name = 'InitializerError';
  readonly code = 'ERR_X_INITIALIZER';
  /** @param worker What a worker is called in the message (`thread`, `child process`). */
  constructor(cause: unknown, worker = 'worker') {
    super(
      `The pool's initializer threw in a new ${worker}: ${cause instanceof Error ? cause.message : String(cause)}. Fix the initializer; no task ran in that ${worker}.`,
      { cause },
    );
  }
}
