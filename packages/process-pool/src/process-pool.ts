import { availableParallelism } from 'node:os';
import { serialize } from 'node:v8';
import {
  assertCloneable,
  assertRuntimeSupport,
  DataCloneError,
  describeReceived,
  type Executor,
  fromModule,
  inheritedExecArgv,
  type MapOptions,
  mapOnExecutor,
  ownOptions,
  Pool,
  type RemoteFunction,
  toRemoteRef,
  validateDuration,
  validateInteger,
} from '@x/executor';
import type { runChunk } from './chunk.js';
import { jsonRefusal } from './json.js';
import { ProcessTransport } from './process-transport.js';

/** Options of {@link ProcessPool}. */
export interface ProcessPoolOptions {
  /** Most child processes at once. Default: `os.availableParallelism()`. */
  maxWorkers?: number;
  /** Children kept alive even when idle. Default: 0. */
  minWorkers?: number;
  /** Replace a child after it has run this many tasks (Python's `max_tasks_per_child`). Default: Infinity. */
  maxTasksPerChild?: number;
  /**
   * A self-contained function or `fromModule(...)` reference run once in each new child before its first
   * task (open a connection, warm a cache). If it throws, the child is discarded and its tasks go to the
   * next one; once three children in a row (whatever `maxWorkers`) failed with the same error and none
   * started since, every waiting task fails at once with `WorkerCrashedError` (cause: `InitializerError`).
   * Each child after a failed start is forked after a growing delay (100 ms doubling up to 10 s, reset by a
   * child whose initializer returns), so the pool never forks in a loop. Default: none.
   */
  initializer?: RemoteFunction;
  /** Arguments of `initializer`. Default: `[]`. */
  initArgs?: unknown[];
  /**
   * A self-contained function or `fromModule(...)` reference run once in a child the pool stops gracefully
   * (idle, recycled, shutdown) before it exits (close a connection, flush a buffer). A child killed because
   * it crashed or was stuck runs none; one whose teardown takes more than 5 s is killed. An error it throws
   * is reported as a warning in the child (`ERR_X_TEARDOWN_FAILED`). Default: none.
   */
  teardown?: RemoteFunction;
  /**
   * MiB of resident memory (RSS, reported by the child before each batch of results) above which a child is
   * replaced: it takes no new task, finishes those it holds, runs its teardown and exits (`workerExit`
   * reason `recycled`). For tasks that leak. Default: none.
   */
  maxMemory?: number;
  /** Milliseconds a child may take to acknowledge a cancelled or timed-out task before it is killed. Default: 20. */
  cancelGrace?: number;
  /** Record run/wait times and utilization for `stats()`; counts are kept either way. Default: `true`. */
  recordTiming?: boolean;
  /**
   * The longest, in microseconds, this thread keeps its event loop turning (`setImmediate`) after sending a
   * task, so the answer is read without waking a sleeping thread (tens of µs on an idle machine); other
   * callbacks run between the turns as usual. A child does the same after answering, waiting
   * for its next task. Adaptive: it halves after a spin no answer ended, down to
   * none, probes again every 32nd task, and stops for the next 256 tasks when the thread was preempted or got
   * under 0.6 of a CPU while spinning (a busy machine). Where the process may use only one CPU
   * (`os.availableParallelism()` is 1: pinned with `taskset`, a one-CPU container), and while the system's load
   * average reaches its CPUs + 1, it never spins. An integer from 0 to 10,000; `0` never spins. Default: 500 (a
   * process round trip takes several times a thread's: with 200, one spin in several ran out and halved the next).
   */
  spin?: number;
  /**
   * Node flags of each child, e.g. `['--max-old-space-size=256']`. Default: the parent's `process.execArgv`
   * less its entry code (`-e`, `-p`, `--input-type`) and debugger flags (`--inspect*`).
   */
  execArgv?: string[];
  /** Environment of each child. Default: the parent's `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Milliseconds an idle child above `minWorkers` lives. Default: 10000. */
  idleTimeout?: number;
  /** Most tasks waiting for a child; more are rejected with `QueueFullError`. Default: Infinity. */
  maxQueue?: number;
  /**
   * How values cross the process boundary: `'advanced'` (structured clone: Map, Set, Date, typed arrays,
   * BigInt, errors survive) or `'json'` (plain JSON data only: an argument or result JSON would change, such
   * as a Map, Date, BigInt or NaN, fails its task with `DataCloneError`). Default: `'advanced'`.
   */
  serialization?: 'advanced' | 'json';
  /**
   * Tasks handed to one child at once (pipelining: the next task is already waiting in the child when one
   * finishes). Each travels in its own message and the child reports which it started, so a child that dies
   * still fails only the task(s) it was running; the others run on another child. Default: 8.
   */
  concurrentTasksPerChild?: number;
  /**
   * Most of a child's tasks sent in one IPC message. Above 1, many tiny tasks cost far less per task
   * (several times the throughput), but a child that dies fails every unanswered task of the messages it
   * had received, since it cannot say which had started. Default: 1.
   */
  tasksPerMessage?: number;
}

/** Options of {@link ProcessPool.map}. */
export interface ProcessMapOptions extends MapOptions {
  /**
   * Items sent to a child per task (Python's `chunksize`): for many tiny items, larger chunks cut the
   * per-message cost. Default: 1.
   */
  chunkSize?: number;
}

/** Pipelining depth: measured best for tiny tasks on 2 cores (8: ~2.5x the throughput of 1). */
const DEFAULT_TASKS_PER_CHILD = 8;
/**
 * Default `spin`, µs: longer than the thread pools' 200, as a process round trip is. One tiny task at a time, 2
 * children, interleaved (issue 19): steady state 55-59 µs with 500 against 77 with 200 (workerpool 143-179), a
 * fresh pool's first tasks 131-145 against 181-192 (workerpool 148-154); 700 measured no better than 500.
 */
const PROCESS_SPIN_MICROS = 500;

const chunkRunner = fromModule<typeof runChunk>(new URL('./chunk.js', import.meta.url), 'runChunk');

/**
 * A pool of child processes that runs self-contained functions or module functions in parallel, isolated
 * from the parent: a child that exits, is killed or runs out of memory fails only its own task with
 * `WorkerCrashedError` (exit code or signal named) and is replaced; the pool keeps serving (where Python
 * would raise `BrokenProcessPool` for everything). Idle children never keep the parent alive.
 *
 * @example
 * ```ts
 * await using pool = new ProcessPool({ maxWorkers: 2 });
 * const total = await pool.submit((n: number) => { let s = 0; for (let i = 0; i < n; i++) s += i; return s; }, [1e7]);
 * ```
 * Like Python's `concurrent.futures.ProcessPoolExecutor`.
 */
export class ProcessPool extends Pool {
  readonly #children: Set<ProcessTransport>;
  /** Concurrency of a chunked map: every child busy with `concurrentTasksPerChild` (at least 2) chunks. */
  readonly #mapConcurrency: number;

  constructor(options: ProcessPoolOptions = {}) {
    options = ownOptions(options, 'options');
    validateInteger(options.maxWorkers, 'options.maxWorkers', 1);
    validateInteger(options.minWorkers, 'options.minWorkers', 0);
    if ((options.minWorkers ?? 0) > (options.maxWorkers ?? Number.POSITIVE_INFINITY)) {
      throw new RangeError(
        `The value of "options.minWorkers" (${options.minWorkers}) must not exceed "options.maxWorkers" (${options.maxWorkers}).`,
      );
    }
    validateInteger(options.maxTasksPerChild, 'options.maxTasksPerChild', 1, Number.POSITIVE_INFINITY, true);
    validateInteger(options.concurrentTasksPerChild, 'options.concurrentTasksPerChild', 1);
    validateInteger(options.tasksPerMessage, 'options.tasksPerMessage', 1, Number.POSITIVE_INFINITY, true);
    validateDuration(options.idleTimeout, 'options.idleTimeout');
    validateInteger(options.maxQueue, 'options.maxQueue', 0, Number.POSITIVE_INFINITY, true);
    const initializer =
      options.initializer === undefined ? undefined : toRemoteRef(options.initializer, 'options.initializer');
    const teardown =
      options.teardown === undefined ? undefined : toRemoteRef(options.teardown, 'options.teardown');
    const { initArgs = [], execArgv = inheritedExecArgv(), serialization = 'advanced' } = options;
    // A given env is copied to its own keys: `fork` lists the variables with `for...in`, inherited ones too.
    const env = options.env === undefined ? process.env : ownOptions(options.env, 'options.env');
    if (!Array.isArray(initArgs)) {
      throw new TypeError(`The "options.initArgs" property must be an array.${describeReceived(initArgs)}`);
    }
    // Sent to every new child: refuse now what could never be sent (a function, a socket...).
    assertCloneable(initArgs, 'options.initArgs');
    if (!Array.isArray(execArgv) || execArgv.some((a) => typeof a !== 'string')) {
      throw new TypeError(
        `The "options.execArgv" property must be an array of strings.${describeReceived(execArgv)}`,
      );
    }
    if (serialization !== 'advanced' && serialization !== 'json') {
      throw new TypeError(
        `The "options.serialization" property must be 'advanced' or 'json'. Received ${JSON.stringify(serialization)}`,
      );
    }
    if (serialization === 'json') {
      const refusal = jsonRefusal(initArgs, 'options.initArgs', false);
      if (refusal !== undefined) throw new DataCloneError(...refusal);
    } else {
      try {
        serialize(initArgs);
      } catch (error) {
        throw new DataCloneError(
          'options.initArgs',
          `Node's IPC channel refused it: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      }
    }
    const maxWorkers = options.maxWorkers ?? Math.max(options.minWorkers ?? 0, availableParallelism());
    const perChild = options.concurrentTasksPerChild ?? DEFAULT_TASKS_PER_CHILD;
    const spin = options.spin ?? PROCESS_SPIN_MICROS;
    const childOptions = {
      execArgv,
      env,
      serialization,
      initializer,
      initArgs,
      teardown,
      measureMemory: typeof options.maxMemory === 'number' && options.maxMemory < Number.POSITIVE_INFINITY,
      tasksPerMessage: options.tasksPerMessage ?? 1,
      spin,
    };
    assertRuntimeSupport('@x/process-pool', {
      permissions: [
        { name: 'run', why: 'to start its child processes' },
        { name: 'env', why: "Deno's child_process reads the environment" },
        { name: 'read', why: 'to load its child script', path: new URL('.', import.meta.url) },
      ],
    });
    // Set up before super(), which starts minWorkers children at once: the factory cannot use `this` yet.
    const children = new Set<ProcessTransport>();
    super({
      transport: (handlers) => {
        const child: ProcessTransport = new ProcessTransport(
          {
            onMessage: handlers.onMessage,
            onExit: (info) => {
              children.delete(child);
              handlers.onExit(info);
            },
          },
          childOptions,
        );
        children.add(child);
        return child;
      },
      minWorkers: options.minWorkers,
      maxWorkers: options.maxWorkers,
      idleTimeout: options.idleTimeout,
      maxQueue: options.maxQueue,
      maxTasksPerWorker: options.maxTasksPerChild,
      concurrentTasksPerWorker: perChild,
      cancelGrace: options.cancelGrace,
      recordTiming: options.recordTiming,
      spin,
      maxMemory: options.maxMemory,
      label: 'child process',
    });
    this.#children = children;
    this.#mapConcurrency = maxWorkers * Math.max(2, perChild);
  }

  /** Process ids of the children alive now. */
  get pids(): number[] {
    return [...this.#children].map((c) => c.pid).filter((pid): pid is number => pid !== undefined);
  }

  /** Children alive now (the same as `size`). */
  get workers(): number {
    return this.size;
  }

  /**
   * Runs `fn(item)` in children for each item of a (sync or async) iterable, pulled lazily with at most
   * `concurrency` tasks in flight, `chunkSize` items per task; yields results in input order unless
   * `ordered: false`. The first failure cancels the rest and is thrown by the loop.
   *
   * @example
   * ```ts
   * for await (const square of pool.map((n: number) => n * n, range, { chunkSize: 256 })) total += square;
   * ```
   * Like Python's `Executor.map(fn, iterable, chunksize=...)`.
   */
  override map<F extends (item: any) => any>(
    fn: RemoteFunction<F>,
    items: Iterable<Parameters<F>[0]> | AsyncIterable<Parameters<F>[0]>,
    options: ProcessMapOptions = {},
  ): AsyncIterable<Awaited<ReturnType<F>>> {
    options = ownOptions(options, 'options');
    const { chunkSize = 1, ...rest } = options;
    validateInteger(chunkSize, 'options.chunkSize', 1);
    // map() gives all its tasks one signal; the pool keeps one real listener on it however many are in flight.
    const submit: Executor['submit'] = (f, args, submitOptions) => super.submit(f, args, submitOptions);
    if (chunkSize === 1) return mapOnExecutor({ submit }, fn, items, rest, this.#mapConcurrency);
    const ref = toRemoteRef(fn, 'fn');
    if (!isIterable(items)) {
      throw new TypeError(
        `The "items" argument must be an iterable or async iterable.${describeReceived(items)}`,
      );
    }
    const chunks = mapOnExecutor<unknown[]>(
      { submit: (runner, [pair], submitOptions) => submit(runner, pair as never, submitOptions) },
      chunkRunner,
      chunked(items, chunkSize, ref),
      rest,
      this.#mapConcurrency,
    );
    return flatten(chunks) as AsyncIterable<Awaited<ReturnType<F>>>;
  }
}

function isIterable(items: unknown): items is Iterable<unknown> | AsyncIterable<unknown> {
  return (
    items != null &&
    (typeof (items as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function' ||
      typeof (items as Iterable<unknown>)[Symbol.iterator] === 'function')
  );
}

/** Groups items into `[ref, chunk]` argument lists of `size` items for the chunk runner. */
async function* chunked(
  items: Iterable<unknown> | AsyncIterable<unknown>,
  size: number,
  ref: ReturnType<typeof toRemoteRef>,
): AsyncGenerator<[ReturnType<typeof toRemoteRef>, unknown[]]> {
  let chunk: unknown[] = [];
  for await (const item of items) {
    chunk.push(item);
    if (chunk.length === size) {
      yield [ref, chunk];
      chunk = [];
    }
  }
  if (chunk.length > 0) yield [ref, chunk];
}

async function* flatten(chunks: AsyncIterable<unknown[]>): AsyncGenerator<unknown> {
  for await (const chunk of chunks) yield* chunk;
}
