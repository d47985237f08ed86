import type { ResourceLimits } from 'node:worker_threads';
import {
  assertCloneable,
  assertRuntimeSupport,
  describeReceived,
  ownOptions,
  Pool,
  type RemoteFunction,
  toRemoteRef,
  validateDuration,
  validateInteger,
} from '@x/executor';
import { threadExecArgv } from './thread-exec-argv.js';
import { ThreadTransport } from './thread-transport.js';

/** Options of {@link ThreadPool}. */
export interface ThreadPoolOptions {
  /** Threads kept alive even when idle. Default: 0. */
  minThreads?: number;
  /** Most threads at once. Default: `os.availableParallelism()`. */
  maxThreads?: number;
  /** Milliseconds an idle thread above `minThreads` lives. Default: 10000. */
  idleTimeout?: number;
  /** Most tasks waiting for a thread; more are rejected with `QueueFullError`. Default: Infinity. */
  maxQueue?: number;
  /** Replace a thread after it has run this many tasks. Default: Infinity. */
  maxTasksPerThread?: number;
  /**
   * Tasks handed to one thread at once. Higher values batch tiny tasks (throughput) and let async tasks
   * overlap in one thread. A function seen holding its thread for more than 2 ms of synchronous work is
   * given only to a thread with nothing else in flight, so long tasks do not queue behind each other.
   * Default: 64.
   */
  concurrentTasksPerThread?: number;
  /** V8 heap limits of each thread (`worker_threads` `resourceLimits`); exceeding them fails the task with `WorkerCrashedError`. */
  resourceLimits?: ResourceLimits;
  /** Node flags of each thread. Default: the parent's `process.execArgv` less `-e`/`-p`/`--input-type`/`--inspect*` (so a TS loader is inherited). */
  execArgv?: string[];
  /** Environment of each thread. Default: a copy of `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Thread name shown in debuggers. Default: `@x/to-thread`. */
  name?: string;
  /** Milliseconds a thread may take to acknowledge a cancelled or timed-out task before it is terminated. Default: 20. */
  cancelGrace?: number;
  /** Record run/wait times and utilization for `stats()`; counts are kept either way. Default: `true`. */
  recordTiming?: boolean;
  /**
   * The longest, in microseconds, this thread keeps its event loop turning (`setImmediate`) after sending a
   * task, so the answer is read without waking a sleeping thread (tens of µs on an idle machine); other
   * callbacks run between the turns as usual. Adaptive: it halves after a spin no answer ended, down to
   * none, probes again every 32nd task, and stops for the next 256 tasks when the thread was preempted or got
   * under 0.6 of a CPU while spinning (a busy machine). Where the process may use only one CPU
   * (`os.availableParallelism()` is 1: pinned with `taskset`, a one-CPU container), and while the system's load
   * average reaches its CPUs + 1, it never spins. An integer from 0 to 10,000; `0` never spins. Default: 200.
   */
  spin?: number;
  /**
   * A self-contained function or `fromModule(...)` reference run once in each new thread before its first
   * task (open a connection, warm a cache). If it throws, the thread exits and its tasks go to the next one;
   * once three threads in a row failed with the same error and none started since, every waiting task fails
   * at once with `WorkerCrashedError` (cause: `InitializerError`), and each further thread starts after a
   * growing delay (100 ms doubling up to 10 s), so the pool never respawns in a loop. Default: none.
   */
  initializer?: RemoteFunction;
  /** Arguments of `initializer` (structured-cloned to each thread). Default: `[]`. */
  initArgs?: unknown[];
  /**
   * A self-contained function or `fromModule(...)` reference run once in a thread the pool stops gracefully
   * (idle, recycled, shutdown) before it exits (close a connection, flush a buffer). A thread terminated
   * because it crashed or was stuck runs none; one whose teardown takes more than 5 s is terminated. An error
   * it throws is reported as a warning (`ERR_X_TEARDOWN_FAILED`). Default: none.
   */
  teardown?: RemoteFunction;
  /**
   * MiB of V8 heap (`used_heap_size`, measured by the thread after each batch of results) above which a thread
   * is replaced: it takes no new task, finishes those it holds, runs its teardown and exits (`workerExit`
   * reason `recycled`). For tasks that leak. Default: none.
   */
  maxMemory?: number;
}

/**
 * A pool of worker threads that runs self-contained functions or module functions off the event loop,
 * in parallel. Invalid options throw a `TypeError`/`RangeError`; a task that throws rejects with its error
 * (class, name, code, cause and remote stack kept); a thread that dies fails only its running tasks with
 * `WorkerCrashedError` and is replaced; idle threads never keep the process alive.
 *
 * @example
 * ```ts
 * await using pool = new ThreadPool({ maxThreads: 4 });
 * const hash = await pool.submit((s: string) => require('node:crypto').createHash('sha1').update(s).digest('hex'), ['x']);
 * for await (const n of pool.map((x: number) => x * 2, [1, 2, 3])) console.log(n);
 * ```
 * Like Python's `concurrent.futures.ThreadPoolExecutor` (with real parallelism: no GIL).
 */
export class ThreadPool extends Pool {
  constructor(options: ThreadPoolOptions = {}) {
    options = ownOptions(options, 'options');
    const { execArgv = threadExecArgv(), name = '@x/to-thread' } = options;
    // Own keys only here too: Node reads `resourceLimits` and a given `env` with plain property access.
    const resourceLimits = ownOptions(options.resourceLimits, 'options.resourceLimits');
    const env =
      options.env !== null && typeof options.env === 'object'
        ? ownOptions(options.env, 'options.env')
        : options.env;
    // Validated here too so that messages use this class's option names.
    validateInteger(options.minThreads, 'options.minThreads', 0);
    validateInteger(options.maxThreads, 'options.maxThreads', 1);
    if ((options.minThreads ?? 0) > (options.maxThreads ?? Number.POSITIVE_INFINITY)) {
      throw new RangeError(
        `The value of "options.minThreads" (${options.minThreads}) must not exceed "options.maxThreads" (${options.maxThreads}).`,
      );
    }
    validateDuration(options.idleTimeout, 'options.idleTimeout');
    validateInteger(options.maxQueue, 'options.maxQueue', 0, Number.POSITIVE_INFINITY, true);
    validateInteger(
      options.maxTasksPerThread,
      'options.maxTasksPerThread',
      1,
      Number.POSITIVE_INFINITY,
      true,
    );
    validateInteger(options.concurrentTasksPerThread, 'options.concurrentTasksPerThread', 1);
    const initializer =
      options.initializer === undefined ? undefined : toRemoteRef(options.initializer, 'options.initializer');
    const teardown =
      options.teardown === undefined ? undefined : toRemoteRef(options.teardown, 'options.teardown');
    const { initArgs = [] } = options;
    const measureMemory =
      typeof options.maxMemory === 'number' && options.maxMemory < Number.POSITIVE_INFINITY;
    if (!Array.isArray(initArgs)) {
      throw new TypeError(`The "options.initArgs" property must be an array.${describeReceived(initArgs)}`);
    }
    // Sent to every new thread: refuse now what could never be sent (a function, a socket...).
    assertCloneable(initArgs, 'options.initArgs');
    if (execArgv !== undefined && !Array.isArray(execArgv)) {
      throw new TypeError(
        `The "options.execArgv" property must be an array. Received type ${typeof execArgv}`,
      );
    }
    assertRuntimeSupport('@x/to-thread', {
      resourceLimits: resourceLimits !== undefined,
      permissions: [{ name: 'read', why: 'to load its worker script', path: new URL('.', import.meta.url) }],
    });
    super({
      transport: (handlers) =>
        new ThreadTransport(handlers, {
          resourceLimits,
          execArgv,
          env,
          name,
          initializer,
          initArgs,
          teardown,
          measureMemory,
        }),
      minWorkers: options.minThreads,
      maxWorkers: options.maxThreads,
      idleTimeout: options.idleTimeout,
      maxQueue: options.maxQueue,
      maxTasksPerWorker: options.maxTasksPerThread,
      concurrentTasksPerWorker: options.concurrentTasksPerThread ?? 64,
      cancelGrace: options.cancelGrace,
      recordTiming: options.recordTiming,
      spin: options.spin,
      maxMemory: options.maxMemory,
      label: 'thread',
    });
  }

  /** Threads alive now (the same as `size`). */
  get threads(): number {
    return this.size;
  }
}
