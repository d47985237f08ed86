import { randomUUID } from 'node:crypto';
import {
  AbortError,
  type AnyFunction,
  asyncDispose,
  type Executor,
  type MapOptions,
  mapOnExecutor,
  PoolClosedError,
  type RemoteFunction,
  type ShutdownOptions,
  type SubmitOptions,
  TimeoutError,
  toRemoteRef,
  WorkerCrashedError,
} from '@x/executor';
import {
  type AbortSubscription,
  describeReceived,
  onAbort,
  ownOptions,
  subject,
  validateDuration,
  validateOptionNames,
  validateSignal,
} from '@x/internal';
import { decodeOutcome, encodeArgs, type JobData, toWireFunction } from './codec.js';
import { Engine, type EngineListener } from './engine.js';
import { JobLostError, SourceFunctionRefusedError } from './errors.js';
import { type DistributedExecutorOptions, EXECUTOR_DEFAULTS, resolveExecutorOptions } from './options.js';

interface Pending {
  id: string;
  data: JobData;
  /** `queued`: waiting for the next `addBulk`; `added`: in Redis; `settled`: the caller has its answer. */
  state: 'queued' | 'added' | 'settled';
  resolve(value: unknown): void;
  reject(error: unknown): void;
  subscription: AbortSubscription | undefined;
  timer: NodeJS.Timeout | undefined;
  /** When the executor last heard of (or looked up) this job, for the missed-event safety net. */
  checkedAt: number;
  /**
   * Set when the executor itself removes the job (`shutdown({ cancelPending })`): the reason the task fails
   * with, whichever comes first, the removal's answer or the `removed` event (then not a `JobLostError`).
   */
  withdrawn?: Error;
}

/** Every this often, tasks not heard of for as long are looked up in Redis directly. */
const LOOK_UP_INTERVAL = 5000;
/** Most tasks per `addBulk`: a few milliseconds of Redis work, far inside `connectTimeout`. */
const MAX_BULK = 500;
/** Most jobs looked up per round, so the safety net never floods Redis. */
const LOOK_UP_BATCH = 200;

/** BullMQ's reasons for failing a job whose worker was lost too often. */
const LOST = /stalled more than allowable limit|started more than allowable limit|lock/i;

/**
 * An `Executor` whose tasks run on worker processes on any number of machines, through BullMQ on Redis: the
 * code that calls `submit`/`map` on a `ProcessPool` runs unchanged. Tasks are BullMQ jobs; workers started
 * with `serveWorker` (or the `x-distributed-worker` CLI) run them on their local pool. Results come back
 * through one shared event subscription; a task whose event was missed is looked up directly, so no wait
 * depends on one message arriving.
 *
 * @example
 * ```ts
 * import { fromModule } from '@x/executor';
 * import { DistributedExecutor } from '@x/distributed';
 * await using executor = new DistributedExecutor({ connection: 'redis://127.0.0.1:6379' });
 * const fib = fromModule<(n: number) => number>('./work.js', 'fib');
 * console.log(await executor.submit(fib, [30]));
 * ```
 * Like Dask's `client.get_executor()` or Ray's `Pool`: a `concurrent.futures.Executor` backed by a cluster.
 */
export class DistributedExecutor implements Executor {
  readonly #options: ReturnType<typeof resolveExecutorOptions>;
  readonly #idPrefix = randomUUID();
  #nextId = 0;
  #engine: Engine | undefined;
  readonly #pending = new Map<string, Pending>();
  #batch: Pending[] = [];
  #flushScheduled = false;
  #flushing = false;
  #lookUpTimer: NodeJS.Timeout | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;
  #settledAll: (() => void) | undefined;

  /** Throws a `TypeError`/`RangeError` naming the option for bad options; connects on the first task. */
  constructor(options: DistributedExecutorOptions) {
    this.#options = resolveExecutorOptions(options);
  }

  /** Tasks submitted and not yet settled. */
  get pending(): number {
    return this.#pending.size;
  }

  /**
   * Runs `fn(...args)` on a worker and resolves with its result, or rejects with its error (class, `code`,
   * `cause`, remote stack), `DataCloneError` (naming the argument; nothing was sent), `TimeoutError`, the
   * signal's reason (at once: a waiting job is removed, a running one is aborted on its worker),
   * `WorkerCrashedError` (worker lost with `onWorkerLost: 'fail'`), `CodeVersionMismatchError`,
   * `RedisUnavailableError` (Redis did not accept the task within `connectTimeout`) or `PoolClosedError`.
   * Throws a `TypeError` at once for a bad `fn`, `args` or option, and `SourceFunctionRefusedError` for an
   * inline function without `allowSourceFunctions`. `options.transfer` is accepted and ignored (values are
   * copied over the network).
   *
   * @example
   * ```ts
   * const n = await executor.submit(fromModule<(s: string) => number>('./work.js', 'count'), ['text'], { timeout: 10_000 });
   * ```
   * Like Python's `Executor.submit`.
   */
  submit<F extends AnyFunction>(
    fn: RemoteFunction<F>,
    args: Parameters<F>,
    options?: SubmitOptions,
  ): Promise<Awaited<ReturnType<F>>> {
    const ref = toRemoteRef(fn, 'fn');
    if (ref.kind === 'source' && !this.#options.allowSourceFunctions) {
      throw new SourceFunctionRefusedError('executor');
    }
    if (!Array.isArray(args)) {
      throw new TypeError(`${subject('args')} must be an array.${describeReceived(args)}`);
    }
    let signal: AbortSignal | undefined;
    let timeout: number | undefined;
    if (options !== undefined) {
      options = ownOptions(options, 'options');
      validateOptionNames(options, ['signal', 'timeout', 'transfer'], 'options');
      ({ signal, timeout } = options);
      validateSignal(signal, 'options.signal');
      validateDuration(timeout, 'options.timeout');
    }
    if (this.#closed)
      return Promise.reject(
        new PoolClosedError(
          'The DistributedExecutor has been shut down; it accepts no new tasks. Create a new one.',
        ),
      );
    if (signal?.aborted) return Promise.reject(signal.reason);
    let encoded: string;
    try {
      encoded = encodeArgs(args);
    } catch (error) {
      return Promise.reject(error);
    }
    const finite = timeout !== undefined && timeout !== Number.POSITIVE_INFINITY;
    const data: JobData = {
      v: this.#options.codeVersion,
      f: toWireFunction(ref),
      a: encoded,
      l: this.#options.onWorkerLost,
      ...(finite ? { t: timeout } : {}),
    };
    // Job ids are ours, so a result that arrives before `addBulk` answers is still matched. No ':' (BullMQ).
    const task = {
      id: `${this.#idPrefix}-${++this.#nextId}`,
      data,
      state: 'queued',
      checkedAt: Date.now(),
    } as Pending;
    const promise = new Promise<Awaited<ReturnType<F>>>((resolve, reject) => {
      task.resolve = resolve as (value: unknown) => void;
      task.reject = reject;
    });
    this.#pending.set(task.id, task);
    if (signal !== undefined) task.subscription = onAbort(signal, (reason) => this.#abandon(task, reason));
    if (finite) task.timer = setTimeout(() => this.#abandon(task, new TimeoutError(timeout!)), timeout);
    this.#batch.push(task);
    if (!this.#flushScheduled && !this.#flushing) {
      this.#flushScheduled = true;
      // Tasks submitted in the same turn go to Redis in one addBulk: one round trip for a whole burst.
      setImmediate(() => this.#flush());
    }
    return promise;
  }

  /**
   * Runs `fn(item)` on workers for each item of a (sync or async) iterable, at most `concurrency` (default 64)
   * at once, in input order unless `ordered: false`; the first failure cancels the tasks in flight.
   *
   * @example
   * ```ts
   * for await (const size of executor.map(fromModule('./work.js', 'size'), paths, { concurrency: 16 })) {}
   * ```
   * Like Python's `Executor.map`.
   */
  map<F extends (item: any) => any>(
    fn: RemoteFunction<F>,
    items: Iterable<Parameters<F>[0]> | AsyncIterable<Parameters<F>[0]>,
    options?: MapOptions,
  ): AsyncIterable<Awaited<ReturnType<F>>> {
    const ref = toRemoteRef(fn, 'fn');
    if (ref.kind === 'source' && !this.#options.allowSourceFunctions) {
      throw new SourceFunctionRefusedError('executor');
    }
    return mapOnExecutor(this, fn, items, options, EXECUTOR_DEFAULTS.mapConcurrency);
  }

  /**
   * Refuses new tasks; by default waits for the accepted ones, then closes every Redis connection, so nothing
   * of the executor keeps the process alive. `cancelPending: true` rejects with `AbortError` (and removes from
   * Redis) every task no worker has started; started ones finish. `wait: false` returns at once and closes
   * after the tasks settle.
   *
   * @example
   * ```ts
   * await executor.shutdown({ cancelPending: true });
   * ```
   * Like Python's `Executor.shutdown(wait, cancel_futures)`.
   */
  async shutdown(options?: ShutdownOptions): Promise<void> {
    options = ownOptions(options, 'options');
    validateOptionNames(options, ['wait', 'cancelPending'], 'options');
    const wait = options?.wait ?? true;
    const cancelPending = options?.cancelPending ?? false;
    this.#closed = true;
    if (cancelPending) {
      const reason = () =>
        new AbortError(
          'The executor was shut down before this task started (shutdown({ cancelPending: true })).',
        );
      const removals: Array<Promise<void>> = [];
      for (const task of this.#pending.values()) {
        if (task.state === 'queued') this.#settle(task, false, reason());
        else if (task.state === 'added' && this.#engine !== undefined) {
          const engine = this.#engine;
          const withdrawn = (task.withdrawn = reason());
          removals.push(
            engine.removeIfWaiting(task.id).then((removed) => {
              if (removed) this.#settle(task, false, withdrawn);
              else task.withdrawn = undefined; // a worker took it first: it runs, and a later loss is a loss
            }),
          );
        }
      }
      await Promise.all(removals);
    }
    this.#closing ??= this.#drainAndClose();
    if (wait) await this.#closing;
  }

  /** `shutdown()`, for `await using executor = new DistributedExecutor(...)`. */
  [asyncDispose](): Promise<void> {
    return this.shutdown();
  }

  async #drainAndClose(): Promise<void> {
    if (this.#pending.size > 0) await new Promise<void>((resolve) => (this.#settledAll = resolve));
    clearInterval(this.#lookUpTimer);
    this.#lookUpTimer = undefined;
    await this.#engine?.close();
  }

  #engineOrStart(): Engine {
    this.#engine ??= new Engine(this.#options, this.#listener);
    return this.#engine;
  }

  /**
   * Sends the queued tasks in `addBulk`s of at most `MAX_BULK`, one after the other, so each round trip (and its
   * `connectTimeout` bound) stays short however large the burst; tasks submitted meanwhile join the next one.
   */
  async #flush(): Promise<void> {
    this.#flushScheduled = false;
    if (this.#flushing) return;
    this.#flushing = true;
    try {
      while (this.#batch.length > 0) {
        const bulk = this.#batch.splice(0, MAX_BULK).filter((task) => task.state === 'queued');
        if (bulk.length === 0) continue;
        for (const task of bulk) task.state = 'added';
        try {
          await this.#engineOrStart().add(bulk);
          this.#startLookUps();
        } catch (error) {
          for (const task of bulk) this.#settle(task, false, error);
        }
      }
    } finally {
      this.#flushing = false;
    }
  }

  readonly #listener: EngineListener = {
    completed: (jobId, returnvalue) => {
      const task = this.#pending.get(jobId);
      if (task === undefined) return;
      let outcome: ReturnType<typeof decodeOutcome>;
      try {
        outcome = decodeOutcome(returnvalue);
      } catch (error) {
        outcome = { ok: false, error };
      }
      this.#settle(task, outcome.ok, outcome.ok ? outcome.value : outcome.error);
    },
    failed: (jobId, failedReason) => {
      const task = this.#pending.get(jobId);
      if (task === undefined) return;
      const error = LOST.test(failedReason)
        ? new WorkerCrashedError(
            null,
            null,
            `The worker running this task was lost (${failedReason}): BullMQ gave up on it. The task may have run partly; submit it again if that is safe.`,
          )
        : new Error(`The task's job failed in BullMQ: ${failedReason}`);
      this.#settle(task, false, error);
    },
    removed: (jobId) => {
      const task = this.#pending.get(jobId);
      if (task !== undefined && task.state === 'added') {
        this.#settle(task, false, task.withdrawn ?? new JobLostError(jobId));
      }
    },
  };

  /** The safety net: jobs not heard of for a while are read from Redis, so a missed event cannot hang a caller. */
  #startLookUps(): void {
    if (this.#lookUpTimer !== undefined) return;
    this.#lookUpTimer = setInterval(() => {
      const now = Date.now();
      const due: string[] = [];
      for (const task of this.#pending.values()) {
        if (task.state !== 'added' || now - task.checkedAt < LOOK_UP_INTERVAL) continue;
        task.checkedAt = now;
        due.push(task.id);
        if (due.length >= LOOK_UP_BATCH) break;
      }
      if (due.length > 0) void this.#engine?.lookUp(due, this.#listener);
    }, LOOK_UP_INTERVAL);
    this.#lookUpTimer.unref();
  }

  /** The caller gives up (abort, timeout): it rejects at once; the job is withdrawn or its run aborted. */
  #abandon(task: Pending, reason: unknown): void {
    if (task.state === 'settled') return;
    const wasAdded = task.state === 'added';
    this.#settle(task, false, reason);
    if (wasAdded) void this.#engine?.cancel(task.id);
  }

  #settle(task: Pending, ok: boolean, value: unknown): void {
    if (task.state === 'settled') return;
    task.state = 'settled';
    this.#pending.delete(task.id);
    task.subscription?.unsubscribe();
    clearTimeout(task.timer);
    if (ok) task.resolve(value);
    else task.reject(value);
    if (this.#pending.size === 0) {
      clearInterval(this.#lookUpTimer);
      this.#lookUpTimer = undefined;
      this.#settledAll?.();
    }
  }
}
