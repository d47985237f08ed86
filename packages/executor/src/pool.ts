import { EventEmitter } from 'node:events';
import type { TransferListItem } from 'node:worker_threads';
import {
  describeReceived,
  onAbort,
  ownOptions,
  subject,
  validateDuration,
  validateInteger,
  validateSignal,
} from '@x/internal';
import { assertCloneable } from './clone.js';
import { Dispatcher, pickWorker } from './dispatch.js';
import { AbortError, PoolClosedError, QueueFullError, TimeoutError, WorkerCrashedError } from './errors.js';
import {
  asyncDispose,
  type Executor,
  type MapOptions,
  type PoolShutdownOptions,
  type PoolSubmitOptions,
} from './executor.js';
import { LoopSpin } from './loop-spin.js';
import { mapOnExecutor } from './map.js';
import { emitSafely, type PoolEventMap, type WorkerExitReason } from './pool-events.js';
import { type PoolConfig, type PoolOptions, resolvePoolOptions, validateBoolean } from './pool-options.js';
import { nowMicros, type PoolStats, StatsRecorder } from './pool-stats.js';
import { ASSIGNED, DONE, QUEUED, SENT, Task, takeId } from './pool-task.js';
import { hasStores, type TaskTraceContext, taskChannel, traceSettled, tracing } from './pool-tracing.js';
import { type AnyFunction, type RemoteFunction, toRemoteRef } from './remote-function.js';
import { deserializeError, type SerializedError } from './serialize-error.js';
import { StartGuard } from './start-guard.js';
import {
  prepareTask,
  type StreamFunction,
  type StreamItem,
  type StreamOptions,
  type StreamReturn,
  TaskStream,
} from './stream.js';
import { TaskQueue } from './task-queue.js';
import { type ExitInfo, MSG_CANCEL, MSG_RESULTS, MSG_YIELD, type WorkerMessage } from './transport.js';
import { armWatchdog } from './watchdog.js';
import { Workers } from './worker-lifecycle.js';
import type { Slot } from './worker-slot.js';

export type { PoolOptions } from './pool-options.js';

/**
 * One pool scheduler over any {@link TransportFactory}: FIFO queue with optional bound, dispatch to idle
 * workers (several tasks in flight per worker if configured), per-task timeout and abort (a worker stuck
 * in the task is terminated and replaced), crash detection (only the tasks running on the dead worker
 * fail, with `WorkerCrashedError`; unstarted ones run elsewhere), recycling, idle shutdown, and no
 * handle keeping the process alive while idle. `ThreadPool` and `ProcessPool` are thin wrappers.
 *
 * This file composes the parts, each readable alone: the options (`pool-options.ts`), a task
 * (`pool-task.ts`), the queue (`task-queue.ts`), one worker (`worker-slot.ts`) and their life
 * (`worker-lifecycle.ts`), sending tasks to workers (`dispatch.ts`), and the stuck-worker watchdog
 * (`watchdog.ts`). Here: the public API, settling tasks, cancellation, and what a worker's exit means
 * for its tasks.
 *
 * @example
 * ```ts
 * const pool = new Pool({ transport: (handlers) => new MyTransport(handlers), maxWorkers: 2 });
 * await pool.submit((a: number, b: number) => a + b, [1, 2]); // 3
 * await pool.shutdown();
 * ```
 * Like Python's `concurrent.futures.ThreadPoolExecutor` / `ProcessPoolExecutor` internals.
 */
export class Pool extends EventEmitter<PoolEventMap> implements Executor {
  readonly #config: PoolConfig;
  readonly #stats: StatsRecorder;
  /** Tasks were queued since the last `drain`. */
  #queuedSinceDrain = false;
  readonly #workers: Workers;
  readonly #queue = new TaskQueue();
  readonly #dispatcher: Dispatcher;
  /** Keeps the loop turning briefly after a send, so answers are read without an idle wake-up (issue 19). */
  readonly #spin: LoopSpin;
  #closed = false;
  #stopped: Promise<void> | undefined = undefined;
  #pending = 0;
  /** Workers that died before they were ready: back-off, and the proof that start-up is broken. */
  readonly #guard = new StartGuard();
  /** Starts the workers held back by the guard's back-off. Referenced only while tasks are pending. */
  #respawnTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  #drained: (() => void) | undefined = undefined;
  /** Set by shutdown({ cancelRunning }): terminates the workers still busy when the grace is over. */
  #graceTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  /** Set by shutdown({ cancelPending }): makes the reason for tasks that have not started. */
  #cancelPending: (() => AbortError) | undefined = undefined;
  readonly #stopStuck = (slot: Slot) => this.#stop(slot, 'stuck');
  /** The consumer's end `stream()` is opening: `stream()` is `submit()` plus this, handed beside the call. */
  #openingStream: TaskStream<unknown> | undefined = undefined;
  readonly #abandonTask = (task: Task, reason: unknown) => this.#abandon(task, reason);

  constructor(options: PoolOptions) {
    const config = resolvePoolOptions(options);
    super();
    this.#config = config;
    const stats = (this.#stats = new StatsRecorder(config.recordTiming));
    this.#workers = new Workers(config.transport, config.minWorkers, config.idleTimeout, {
      onMessage: (slot, message) => this.#onMessage(slot, message),
      onExit: (slot, info) => this.#onExit(slot, info),
      onCreate: (slot) => this.#onCreate(slot),
    });
    this.#spin = new LoopSpin(config.spin / 1000);
    this.#dispatcher = new Dispatcher(
      config.concurrentTasksPerWorker,
      config.maxTasksPerWorker,
      {
        settle: (task, ok, value) => this.#settle(task, ok, value),
        afterChange: (slot) => this.#afterChange(slot),
        runStarted: (task) => this.#runStarted(task),
        // Only while no task waits in the queue: a saturated pool is busy anyway, and the CPU a spin burns would
        // be taken from the workers.
        sent: () => {
          if (this.#queue.size === 0) this.#spin.sent();
        },
      },
      stats.timing ? stats : undefined,
    );
    for (let i = 0; i < config.minWorkers; i++) this.#workers.idle(this.#workers.spawn());
  }

  /** Workers alive now. */
  get size(): number {
    return this.#workers.list.length;
  }

  /** Tasks waiting for a worker. */
  get queued(): number {
    return this.#queue.size;
  }

  /** Tasks accepted and not yet settled. */
  get pending(): number {
    return this.#pending;
  }

  /**
   * The pool now (workers, idle ones, running and queued tasks) and since it started (tasks completed, failed,
   * cancelled; utilization; run and wait time percentiles in milliseconds). Timings stay 0 with
   * `recordTiming: false`. A fresh object on each call.
   *
   * @example
   * ```ts
   * const { utilization, runTime, waitTime } = pool.stats();
   * console.log(`busy ${(utilization * 100).toFixed(0)}%, p99 run ${runTime.p99} ms, p99 wait ${waitTime.p99} ms`);
   * ```
   * Like piscina's `histogram`/`utilization` and poolifier's `info`.
   */
  stats(): PoolStats {
    const queued = this.#queue.size;
    return this.#stats.snapshot(this.#workers.list, queued, this.#pending - queued);
  }

  /**
   * Runs `fn(...args)` on a worker and returns a promise of its result (Python's `submit` returns a future;
   * here the promise is the future). Throws a `TypeError` at once for a `fn` that is not a function or
   * module function, or bad options; rejects with the task's own error (class, name, code, cause, remote
   * stack), `DataCloneError` (naming the argument), `TimeoutError`, the signal's reason, `QueueFullError`,
   * `PoolClosedError` or `WorkerCrashedError`. A timed-out or aborted task stuck in synchronous code has
   * its worker terminated and replaced.
   *
   * @example
   * ```ts
   * const sum = await pool.submit((a: number, b: number) => a + b, [1, 2], { timeout: 1000 });
   * ```
   * Like Python's `Executor.submit`.
   */
  submit<F extends AnyFunction>(
    fn: RemoteFunction<F>,
    args: Parameters<F>,
    options?: PoolSubmitOptions,
  ): Promise<Awaited<ReturnType<F>>> {
    if (!tracing()) return this.#submit(takeId(), fn, args, options, undefined);
    // tracePromise's protocol, published by hand: asyncStart/asyncEnd come from the task's settlement
    // instead of an extra promise reaction per task.
    const id = takeId();
    const label =
      typeof fn === 'function'
        ? fn.name || 'anonymous'
        : `${(fn as { url?: unknown }).url}#${(fn as { exportName?: unknown }).exportName}`;
    const context: TaskTraceContext = { id, pool: this, label };
    try {
      if (hasStores(taskChannel.start)) {
        return taskChannel.start.runStores(
          context,
          this.#submit,
          this,
          id,
          fn,
          args,
          options,
          context,
        ) as Promise<Awaited<ReturnType<F>>>;
      }
      taskChannel.start.publish(context);
      return this.#submit(id, fn, args, options, context);
    } catch (error) {
      context.error = error;
      taskChannel.error.publish(context);
      throw error;
    } finally {
      taskChannel.end.publish(context);
    }
  }

  readonly #submit = <F extends AnyFunction>(
    id: number,
    fn: RemoteFunction<F>,
    args: Parameters<F>,
    options: PoolSubmitOptions | undefined,
    trace: TaskTraceContext | undefined,
  ): Promise<Awaited<ReturnType<F>>> => {
    const refuse = (error: unknown): Promise<never> => {
      if (trace !== undefined) traceSettled(trace, false, error);
      return Promise.reject(error);
    };
    const ref = toRemoteRef(fn, 'fn');
    if (!Array.isArray(args)) {
      throw new TypeError(`${subject('args')} must be an array.${describeReceived(args)}`);
    }
    let signal: AbortSignal | undefined;
    let timeout: number | undefined;
    let transfer: readonly TransferListItem[] | undefined;
    let priority: number | undefined;
    let runTimeout: number | undefined;
    if (options !== undefined) {
      options = ownOptions(options, 'options');
      ({ signal, timeout, transfer, priority, runTimeout } = options);
      validateSignal(signal, 'options.signal');
      validateDuration(timeout, 'options.timeout');
      validateInteger(priority, 'options.priority', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
      validateDuration(runTimeout, 'options.runTimeout');
      if (transfer !== undefined && !Array.isArray(transfer)) {
        throw new TypeError(`${subject('options.transfer')} must be an array.${describeReceived(transfer)}`);
      }
      validateBoolean(options.transferResult, 'options.transferResult');
    }
    if (this.#closed) return refuse(new PoolClosedError());
    if (signal?.aborted) return refuse(signal.reason);
    for (let i = 0; i < args.length; i++) {
      const arg = args[i];
      if (arg !== null && (typeof arg === 'object' || typeof arg === 'function' || typeof arg === 'symbol')) {
        try {
          assertCloneable(arg, `argument ${i + 1}`);
        } catch (error) {
          return refuse(error);
        }
      }
    }
    const task = new Task(id, ref, args, transfer);
    if (priority !== undefined) task.priority = priority;
    task.trace = trace;
    if (runTimeout !== undefined && runTimeout !== Number.POSITIVE_INFINITY) task.runTimeout = runTimeout;
    if (this.#stats.timing) task.submitted = nowMicros();
    if (options?.transferResult || this.#openingStream !== undefined) {
      prepareTask(task, options?.transferResult === true, this.#openingStream, this.#abandonTask);
    }
    const promise = new Promise<Awaited<ReturnType<F>>>((resolve, reject) => {
      task.resolve = resolve as (value: unknown) => void;
      task.reject = reject;
    });
    if (!this.#assign(task)) {
      if (this.#queue.size >= this.#config.maxQueue) {
        return refuse(new QueueFullError(this.#config.maxQueue));
      }
      this.#queue.push(task);
      this.#queuedSinceDrain = true;
      // It may be waiting for a worker held back by the back-off: that wait must keep the process alive.
      this.#respawnTimer?.ref();
    }
    this.#pending++;
    if (signal !== undefined) {
      task.abortSubscription = onAbort(signal, (reason) => this.#abandon(task, reason));
    }
    if (timeout !== undefined && timeout !== Number.POSITIVE_INFINITY) {
      task.timer = setTimeout(() => this.#abandon(task, new TimeoutError(timeout)), timeout);
    }
    return promise;
  };

  /**
   * Runs `fn(item)` on workers for each item of a (sync or async) iterable, pulled lazily with at most
   * `concurrency` tasks in flight; yields results in input order unless `ordered: false`. The first
   * failure cancels the rest and is thrown by the loop.
   *
   * @example
   * ```ts
   * for await (const size of pool.map((p: string) => require('node:fs').statSync(p).size, paths)) {}
   * ```
   * Like Python's `Executor.map`.
   */
  map<F extends (item: any) => any>(
    fn: RemoteFunction<F>,
    items: Iterable<Parameters<F>[0]> | AsyncIterable<Parameters<F>[0]>,
    options?: MapOptions,
  ): AsyncIterable<Awaited<ReturnType<F>>> {
    const { maxWorkers, concurrentTasksPerWorker } = this.#config;
    return mapOnExecutor(this, fn, items, options, maxWorkers * Math.max(2, concurrentTasksPerWorker));
  }

  /**
   * Runs `fn(...args)` on a worker and returns an async iterator of the values it yields: `fn` is a generator
   * function (sync or async), or returns an iterable or async iterable. Values arrive as they are produced, at
   * most `highWaterMark` ahead of the loop (a slow consumer pauses the generator in the worker). Leaving the
   * loop early (`break`, `return()`) or aborting `signal` stops the task: the generator's `finally` runs in
   * the worker, and `return()` resolves once it has; `taskSignal()` inside is aborted too. The loop ends with
   * the generator's return value (`done: true`), or throws its error (after the values yielded before it),
   * `TimeoutError`, the signal's reason (at once), `WorkerCrashedError` (its worker died: it is replaced),
   * `DataCloneError` (a value that cannot be sent), `QueueFullError` or `PoolClosedError`. Throws a
   * `TypeError`/`RangeError` at once for bad arguments.
   *
   * @example
   * ```ts
   * for await (const percent of pool.stream(function* (n: number) { for (let i = 1; i <= n; i++) yield i; }, [100])) {
   *   console.log(percent);
   * }
   * ```
   * Like the seeds' `run_async_stream`, for CPU work; Python's executors have no counterpart.
   */
  stream<F extends StreamFunction>(
    fn: RemoteFunction<F>,
    args: Parameters<F>,
    options?: StreamOptions,
  ): TaskStream<StreamItem<ReturnType<F>>, StreamReturn<ReturnType<F>>> {
    options = ownOptions(options, 'options');
    const highWaterMark = options?.highWaterMark ?? 16;
    validateInteger(highWaterMark, 'options.highWaterMark', 1);
    const stream = new TaskStream<unknown>(highWaterMark, options?.signal);
    this.#openingStream = stream;
    let done: Promise<unknown>;
    try {
      done = this.submit(fn, args, options);
    } finally {
      this.#openingStream = undefined;
    }
    done.then(
      (value) => stream.end(true, value),
      (error: unknown) => stream.end(false, error),
    );
    return stream as unknown as TaskStream<StreamItem<ReturnType<F>>, StreamReturn<ReturnType<F>>>;
  }

  /**
   * Refuses new tasks; waits for accepted ones, then stops the workers. With `wait: false` it returns at once.
   * With `cancelPending`, every task that has not started by the time of the call is rejected with
   * `AbortError` and never starts: those waiting in the pool's queue and those already sent to a worker ahead
   * of time (waiting there behind a busy task). A task has started once its worker has called its function;
   * a started task always runs to its end (its own `signal` and `timeout` still apply). With `cancelRunning`,
   * running tasks too are rejected at once with `AbortError` and told to stop; their workers are terminated
   * if still busy after `grace` ms. Throws a `TypeError`/`RangeError` for a bad option.
   *
   * @example
   * ```ts
   * await pool.shutdown({ cancelPending: true });
   * await pool.shutdown({ cancelRunning: true, grace: 500 }); // stop now
   * ```
   * Like Python's `Executor.shutdown(wait, cancel_futures)`, and with `cancelRunning` its
   * `terminate_workers()` (3.14).
   */
  async shutdown(options?: PoolShutdownOptions): Promise<void> {
    options = ownOptions(options, 'options');
    validateBoolean(options?.cancelRunning, 'options.cancelRunning');
    validateDuration(options?.grace, 'options.grace');
    const wait = options?.wait ?? true;
    this.#closed = true;
    if ((options?.cancelPending || options?.cancelRunning) && this.#cancelPending === undefined) {
      this.#cancelUnstarted();
    }
    if (options?.cancelRunning && this.#graceTimer === undefined) {
      this.#cancelRunning(options.grace ?? this.#config.cancelGrace);
    }
    // Every call (a second one too) resolves when the same drain-and-stop has finished.
    this.#stopped ??= (async () => {
      if (this.#pending > 0) await new Promise<void>((resolve) => (this.#drained = resolve));
      const exits = this.#workers.list.map((slot) => slot.exitPromise);
      for (const slot of [...this.#workers.list]) {
        // Cancelled by cancelRunning and not answered yet: it has until the grace is over.
        if (this.#graceTimer !== undefined && slot.inflight.size > 0) continue;
        this.#stop(slot, 'shutdown');
      }
      await Promise.all(exits);
      if (this.#graceTimer !== undefined) clearTimeout(this.#graceTimer);
    })();
    if (wait) await this.#stopped;
  }

  /**
   * Replaces every worker, gracefully: the workers alive now take no new task, finish the ones they hold and
   * exit (`workerExit` reason `recycled`); new tasks go to fresh workers. Resolves when every one of them has
   * exited; rejects with `PoolClosedError` after `shutdown`. For leaks, a changed environment, or new code
   * on disk (module functions are imported again by the fresh workers).
   *
   * @example
   * ```ts
   * await pool.recycle();
   * ```
   * Like piscina's `close()` then a new pool, without refusing tasks meanwhile.
   */
  async recycle(): Promise<void> {
    if (this.#closed) throw new PoolClosedError();
    const old = [...this.#workers.list];
    for (const slot of old) {
      slot.retiring = true;
      slot.exitReason ??= 'recycled';
      if (slot.inflight.size === 0) this.#stop(slot, 'recycled');
    }
    this.#replace();
    await Promise.all(old.map((slot) => slot.exitPromise));
  }

  /** `shutdown()`, for `await using pool = ...`. */
  [asyncDispose](): Promise<void> {
    return this.shutdown();
  }

  /**
   * shutdown({ cancelRunning }): rejects every task still on a worker, tells the workers to stop them, and
   * terminates the workers that have not answered within `grace` ms.
   */
  #cancelRunning(grace: number) {
    const reason = () =>
      new AbortError('The pool was shut down with cancelRunning before this task finished.', {
        cause: new PoolClosedError(),
      });
    for (const slot of this.#workers.list) {
      slot.retiring = true;
      slot.exitReason = 'shutdown';
      const ids: number[] = [];
      for (const task of slot.inflight.values()) {
        if (task.state === DONE || task.abandoned) continue;
        // Its answer, if any, is dropped; the worker's exit is awaited either way.
        task.abandoned = true;
        slot.abandoned++;
        this.#settle(task, false, reason(), true);
        ids.push(task.id);
      }
      if (ids.length > 0 && !slot.exited) {
        try {
          slot.transport.send([MSG_CANCEL, ...ids]);
        } catch {
          // The worker is gone; its exit handler cleans up.
        }
      }
    }
    this.#graceTimer = setTimeout(() => {
      for (const slot of [...this.#workers.list]) this.#stop(slot, 'shutdown', true);
    }, grace);
  }

  /** shutdown({ cancelPending }): rejects every task not started, queued or sent ahead to a worker. */
  #cancelUnstarted() {
    const reason = (this.#cancelPending = () =>
      new AbortError('The pool was shut down before this task started (shutdown({ cancelPending: true })).', {
        cause: new PoolClosedError(),
      }));
    for (const task of this.#queue.clear()) this.#settle(task, false, reason(), true);
    this.#checkDrain();
    for (const slot of this.#workers.list) {
      for (const task of slot.outbox) {
        if (task.state !== ASSIGNED) continue;
        slot.inflight.delete(task.id);
        this.#settle(task, false, reason(), true);
      }
      slot.outbox.length = 0;
      // Sent ahead but perhaps not started yet: the worker answers those it has not started as cancelled and
      // runs the started ones to their end. The flag reaches it at once (it reads it right before starting
      // each task); MSG_CANCEL (a negative id means "unless started") covers a worker that has no flag.
      if (!slot.exited) slot.transport.cancelUnstarted?.();
      const ids: number[] = [];
      for (const task of slot.inflight.values())
        if (task.state === SENT && !task.abandoned) ids.push(-task.id);
      if (ids.length > 0 && !slot.exited) {
        try {
          slot.transport.send([MSG_CANCEL, ...ids]);
        } catch {
          // The worker is gone; its exit handler settles these tasks.
        }
      }
    }
  }

  // ---- dispatch ---------------------------------------------------------------------------------

  /** Hands `task` to a worker with room, spawning one if allowed; false when all are full. */
  #assign(task: Task): boolean {
    let best = pickWorker(this.#workers.list);
    let bestLoad = best === undefined ? Number.POSITIVE_INFINITY : best.inflight.size;
    if (bestLoad > 0 && this.#workers.list.length < this.#config.maxWorkers && this.#mayStart()) {
      best = this.#workers.spawn();
      bestLoad = 0;
    }
    if (best === undefined || bestLoad >= this.#dispatcher.limit(task)) return false;
    this.#dispatcher.put(best, task, true);
    return true;
  }

  #closedForSpawn() {
    return this.#closed && this.#pending === 0;
  }

  /** Whether a worker may start now; if the back-off after failed starts says not yet, arranges to try then. */
  #mayStart(): boolean {
    if (this.#closedForSpawn()) return false;
    const wait = this.#guard.wait();
    if (wait === 0) return true;
    if (this.#respawnTimer === undefined) {
      this.#respawnTimer = setTimeout(() => {
        this.#respawnTimer = undefined;
        this.#replace();
      }, wait);
      if (this.#pending === 0) this.#respawnTimer.unref();
    }
    return false;
  }

  /** maxMemory: a worker above it takes no new task and is replaced once its tasks in flight are done. */
  #checkMemory(slot: Slot) {
    const mib = slot.transport.memory?.();
    if (mib !== undefined && mib > this.#config.maxMemory) {
      slot.retiring = true;
      slot.exitReason ??= 'recycled';
    }
  }

  /** Refills `slot` from the queue, or retires / idles it. */
  #afterChange(slot: Slot) {
    if (slot.exited) return;
    if (slot.retiring) {
      if (slot.inflight.size === 0) {
        this.#stop(slot, 'recycled');
        this.#refill();
      }
      return;
    }
    while (!slot.stopping && !slot.retiring) {
      const task = this.#queue.peek();
      if (task === undefined || slot.inflight.size >= this.#dispatcher.limit(task)) break;
      this.#queue.shift();
      this.#dispatcher.put(slot, task);
    }
    if (slot.inflight.size === 0) {
      if (slot.busySince >= 0) this.#stats.rested(slot, performance.now());
      this.#workers.idle(slot);
    }
    if (this.#queuedSinceDrain) this.#checkDrain();
  }

  /** Emits `drain` when the queue has just become empty. */
  #checkDrain() {
    if (!this.#queuedSinceDrain || this.#queue.size > 0) return;
    this.#queuedSinceDrain = false;
    if (this.listenerCount('drain') > 0) emitSafely(this, 'drain');
  }

  /** Dispatches queued tasks to any worker with room (after a worker left or a task was withdrawn). */
  #refill() {
    while (this.#queue.size > 0) {
      const task = this.#queue.shift();
      if (task === undefined) break;
      if (!this.#assign(task)) {
        this.#queue.unshift(task);
        break;
      }
    }
    if (this.#queuedSinceDrain) this.#checkDrain();
  }

  // ---- results ----------------------------------------------------------------------------------

  #onMessage(slot: Slot, message: WorkerMessage) {
    this.#spin.answered();
    slot.silentRounds = 0;
    if (!slot.ready) {
      slot.ready = true;
      this.#guard.started();
      // Its life, for utilization, counts from here: start-up is not time a task ran.
      if (slot.bornAt >= 0) {
        slot.bornAt = performance.now();
        if (slot.busySince >= 0) slot.busySince = slot.bornAt;
      }
    }
    if (message[0] !== MSG_RESULTS) {
      if (message[0] === MSG_YIELD) slot.inflight.get(message[1] as number)?.stream?.push(message, 2);
      return;
    }
    this.#dispatcher.observe(slot, message);
    if (this.#config.maxMemory !== Number.POSITIVE_INFINITY && !slot.retiring) this.#checkMemory(slot);
    const stats = this.#stats;
    const timing = stats.timing;
    const now = timing ? nowMicros() : 0;
    for (let i = 2; i < message.length; i += 2) {
      const signed = message[i] as number;
      const id = signed > 0 ? signed : -signed;
      const task = slot.inflight.get(id);
      if (task === undefined) continue;
      slot.inflight.delete(id);
      if (task.abandoned) {
        slot.abandoned--;
        task.release?.();
        continue;
      }
      const value = message[i + 1];
      if (signed > 0) {
        if (timing) stats.ran(task.sentAt, now);
        this.#settle(task, true, value);
      }
      // A cancellation answer for a task not abandoned here can only be shutdown({ cancelPending })'s.
      else if (value === 0) this.#settle(task, false, this.#cancelPending?.() ?? new AbortError(), true);
      else {
        if (timing) stats.ran(task.sentAt, now);
        this.#settle(task, false, deserializeError(value as SerializedError));
      }
    }
    this.#afterChange(slot);
  }

  /** Starts the clock of a task's `runTimeout` (it was just sent to a worker with nothing else in flight). */
  #runStarted(task: Task) {
    const ms = task.runTimeout;
    task.runTimer = setTimeout(
      () =>
        this.#abandon(
          task,
          new TimeoutError(
            ms,
            `The task did not finish within its runTimeout of ${ms} ms after it started, so it was stopped.`,
          ),
        ),
      ms,
    );
  }

  /** Settles `task` once (later calls do nothing); `cancelled` counts a failure as a cancellation in `stats()`. */
  #settle(task: Task, ok: boolean, value: unknown, cancelled = false) {
    if (task.state === DONE) return;
    task.state = DONE;
    if (task.timer !== undefined) clearTimeout(task.timer);
    if (task.runTimer !== undefined) clearTimeout(task.runTimer);
    task.abortSubscription?.unsubscribe();
    if (ok) {
      this.#stats.completed++;
      task.resolve(value);
    } else {
      if (cancelled) this.#stats.cancelled++;
      else this.#stats.failed++;
      task.reject(value);
    }
    if (task.trace !== undefined) traceSettled(task.trace, ok, value);
    if (--this.#pending === 0) {
      // Nothing waits for a worker any more: a pending respawn must not keep the process alive.
      this.#respawnTimer?.unref();
      if (this.#drained !== undefined) {
        const drained = this.#drained;
        this.#drained = undefined;
        drained();
      }
    }
  }

  // ---- cancellation -----------------------------------------------------------------------------

  #abandon(task: Task, reason: unknown) {
    if (task.state === DONE) return;
    const slot = task.worker;
    const state = task.state;
    this.#settle(task, false, reason, true);
    if (state === QUEUED) {
      this.#queue.withdrawn(); // the entry itself is skipped when reached
      this.#checkDrain();
      return;
    }
    if (slot === undefined) return;
    if (state === ASSIGNED) {
      slot.inflight.delete(task.id); // still in the outbox: send skips it
      this.#afterChange(slot);
      return;
    }
    task.abandoned = true;
    slot.abandoned++;
    try {
      slot.transport.send([MSG_CANCEL, task.id]);
    } catch {
      // The worker is gone; its exit handler cleans up.
    }
    armWatchdog(slot, this.#config.cancelGrace, this.#stopStuck);
  }

  // ---- worker exits -----------------------------------------------------------------------------

  /** Ends a worker on purpose (recycled, shutdown, or stuck in an abandoned task; idle ones end in `Workers`). */
  #stop(slot: Slot, reason: WorkerExitReason, force = false) {
    if (slot.stopping || slot.exited) return;
    const stuck = reason === 'stuck';
    if (stuck) slot.retiring = true;
    this.#workers.stop(slot, reason, force);
    if (stuck) this.#replace();
  }

  #onCreate(slot: Slot) {
    if (this.#stats.timing) slot.bornAt = performance.now();
    if (this.listenerCount('workerCreate') === 0) return;
    const { pid, threadId } = slot.transport;
    emitSafely(this, 'workerCreate', {
      id: slot.id,
      ...(pid === undefined ? {} : { pid }),
      ...(threadId === undefined ? {} : { threadId }),
    });
  }

  #onExit(slot: Slot, info: ExitInfo) {
    if (!this.#workers.exited(slot)) return;
    if (slot.bornAt >= 0) this.#stats.exited(slot, performance.now());
    const started = slot.started();
    const retry: Task[] = [];
    let failed = 0;
    const crash = () =>
      new WorkerCrashedError(
        info.code,
        info.signal,
        undefined,
        info.error ? { cause: info.error } : undefined,
      );
    for (const task of slot.inflight.values()) {
      task.release?.();
      if (task.abandoned || task.state === DONE) continue;
      if (task.state === ASSIGNED || task.seq >= started) {
        if (this.#cancelPending !== undefined) {
          // Not started, and the pool was shut down with cancelPending (this worker may have been stopping
          // already, out of the shutdown's reach): cancelled, not retried on a new worker.
          this.#settle(task, false, this.#cancelPending());
          continue;
        }
        task.state = QUEUED;
        task.worker = undefined;
        // Never started: its runTimeout starts again on the next worker.
        if (task.runTimer !== undefined) {
          clearTimeout(task.runTimer);
          task.runTimer = undefined;
        }
        retry.push(task);
      } else {
        this.#settle(task, false, crash());
        failed++;
      }
    }
    slot.inflight.clear();
    slot.outbox.length = 0;
    this.#queue.unshift(...retry);
    if (!slot.stopping && !slot.ready) this.#startFailed(info);
    else if (!slot.stopping && failed === 0 && info.error !== undefined) {
      // An error no task was waiting for (e.g. thrown from a timer after the task returned): report it.
      process.emitWarning(
        `A ${this.#config.label} of the pool crashed after its tasks had settled and was replaced: ${info.error.stack ?? info.error}`,
        { code: 'ERR_X_WORKER_CRASHED' },
      );
    }
    slot.resolveExit();
    if (this.listenerCount('workerExit') > 0) {
      const pid = slot.transport.pid;
      emitSafely(this, 'workerExit', {
        id: slot.id,
        ...(pid === undefined ? {} : { pid }),
        code: info.code,
        signal: info.signal,
        reason: slot.exitReason ?? 'crashed',
        ...(info.error === undefined ? {} : { error: info.error }),
      });
    }
    this.#replace();
  }

  /**
   * A worker died before it was ready (its tasks are back in the queue: none had started). Killed from
   * outside, it only delays the next start; failing deterministically, it counts towards the proof that
   * start-up is broken, and once proven, every task waiting for a worker fails at once with that error.
   */
  #startFailed(info: ExitInfo) {
    const how = info.signal ? `was killed by ${info.signal}` : `exited with code ${info.code}`;
    const error = info.error ?? new Error(`The ${this.#config.label} ${how} before it was ready.`);
    const broken = this.#guard.failed(error, info.killed === true);
    if (info.killed === true) return; // an OOM killer, an operator: not the program's fault, nothing to report
    // A worker that is up serves the queue whatever new ones do: nothing waits in vain.
    const serving = this.#workers.list.some((slot) => slot.ready && !slot.stopping && !slot.retiring);
    const failed = broken === undefined || serving ? 0 : this.#failWaiting(broken, info);
    if (failed === 0) {
      process.emitWarning(
        `A ${this.#config.label} of the pool failed to start and was replaced: ${error.stack ?? error}`,
        { code: 'ERR_X_WORKER_CRASHED' },
      );
    }
  }

  /**
   * Start-up is known broken: fails every task waiting for a worker, those queued and those handed to workers
   * still starting (which would only fail the same way, one round later each), and stops those workers.
   * Returns how many tasks failed.
   */
  #failWaiting(cause: Error, info: ExitInfo): number {
    const crash = () =>
      new WorkerCrashedError(
        info.code,
        info.signal,
        `Every new ${this.#config.label} of the pool failed to start, ${this.#guard.threshold} in a row with the same error and none started since (${cause.message}); the task was not run. The pool tries again, after a back-off, for the tasks that come next.`,
        { cause },
      );
    let failed = 0;
    for (let task = this.#queue.shift(); task !== undefined; task = this.#queue.shift()) {
      this.#settle(task, false, crash());
      failed++;
    }
    this.#checkDrain();
    for (const slot of [...this.#workers.list]) {
      if (slot.ready || slot.stopping || slot.inflight.size === 0) continue;
      const started = slot.started();
      const tasks = [...slot.inflight.values()];
      // A task that may have started (the worker became ready just now) is left to run.
      if (tasks.some((task) => task.state === SENT && task.seq < started)) continue;
      slot.inflight.clear();
      slot.outbox.length = 0;
      for (const task of tasks) {
        if (task.abandoned || task.state === DONE) continue;
        this.#settle(task, false, crash());
        failed++;
      }
      this.#stop(slot, 'crashed');
    }
    return failed;
  }

  /** Keeps `minWorkers` alive and the queue moving after a worker left (or when the back-off is over). */
  #replace() {
    if (this.#closedForSpawn()) return;
    const workers = this.#workers;
    while (!this.#closed && workers.list.length < this.#config.minWorkers && this.#mayStart()) {
      workers.idle(workers.spawn());
    }
    this.#refill();
  }
}
