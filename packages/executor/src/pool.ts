import { availableParallelism } from 'node:os';
import type { TransferListItem } from 'node:worker_threads';
import {
  type AbortSubscription,
  describeReceived,
  onAbort,
  ownOptions,
  subject,
  validateDuration,
  validateInteger,
  validateSignal,
} from '@x/internal';
import { assertCloneable, cloneError } from './clone.js';
import { AbortError, PoolClosedError, QueueFullError, TimeoutError, WorkerCrashedError } from './errors.js';
import {
  asyncDispose,
  type Executor,
  type MapOptions,
  type ShutdownOptions,
  type SubmitOptions,
} from './executor.js';
import { mapOnExecutor } from './map.js';
import { type AnyFunction, type RemoteFunction, type RemoteRef, toRemoteRef } from './remote-function.js';
import { deserializeError, type SerializedError } from './serialize-error.js';
import { StartGuard } from './start-guard.js';
import {
  type ExitInfo,
  MSG_CANCEL,
  MSG_RESULTS,
  MSG_RUN,
  STATE_RUNNING,
  STATE_STARTED,
  type Transport,
  type TransportFactory,
  type WorkerMessage,
} from './transport.js';

/** Options of {@link Pool}. */
export interface PoolOptions {
  /** Starts one worker; see `Transport`. */
  transport: TransportFactory;
  /** Workers kept alive even when idle. Default: 0. */
  minWorkers?: number;
  /** Most workers at once. Default: `os.availableParallelism()`. */
  maxWorkers?: number;
  /** Milliseconds an idle worker above `minWorkers` lives. Default: 10000. */
  idleTimeout?: number;
  /** Most tasks waiting for a worker; more are rejected with `QueueFullError`. Default: Infinity. */
  maxQueue?: number;
  /** Replace a worker after it has run this many tasks. Default: Infinity. */
  maxTasksPerWorker?: number;
  /**
   * Most tasks handed to one worker at once. Above 1, tiny tasks travel in batches (much higher throughput)
   * and async tasks overlap inside a worker; a long task can then delay the ones queued behind it on the same
   * worker. Default: 1.
   */
  concurrentTasksPerWorker?: number;
  /** Milliseconds a worker may take to acknowledge a cancelled task before it is terminated. Default: 20. */
  cancelGrace?: number;
  /** What a worker is called in messages (`thread`, `child process`). Default: `worker`. */
  label?: string;
}

/** Watchdog rounds (of `cancelGrace` ms) a silent worker gets before it is deemed stuck in async code. */
const STUCK_ROUNDS = 10;

const QUEUED = 0;
const ASSIGNED = 1;
const SENT = 2;
const DONE = 3;

const fids = new Map<string, number>();
/** The small number standing for a function key in messages (same for every worker and pool). */
const fidOf = (key: string) => {
  let fid = fids.get(key);
  if (fid === undefined) fids.set(key, (fid = fids.size));
  return fid;
};

class Task {
  state = QUEUED;
  readonly fid: number;
  worker: Slot | undefined = undefined;
  /** Position in its worker's send order, for telling started tasks from unstarted ones after a crash. */
  seq = 0;
  abandoned = false;
  timer: ReturnType<typeof setTimeout> | undefined = undefined;
  resolve!: (value: unknown) => void;
  reject!: (reason: unknown) => void;
  /** The subscription to the caller's `options.signal`, dropped when the task settles. */
  abortSubscription: AbortSubscription | undefined = undefined;
  constructor(
    readonly id: number,
    readonly ref: RemoteRef,
    readonly args: unknown[],
    readonly transfer: readonly TransferListItem[] | undefined,
  ) {
    this.fid = fidOf(ref.key);
  }
}

class Slot {
  transport!: Transport;
  readonly inflight = new Map<number, Task>();
  readonly known: boolean[] = [];
  outbox: Task[] = [];
  /** Tasks ever assigned (for recycling) and sent (for `seq`). */
  assigned = 0;
  sent = 0;
  retiring = false;
  stopping = false;
  /** The worker has sent something (`MSG_READY` first): it started. Dying before that is a failed start. */
  ready = false;
  exited = false;
  referenced = true;
  lastActive = 0;
  idleTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  watchdog: ReturnType<typeof setTimeout> | undefined = undefined;
  /** Watchdog rounds in a row that found a cancel unanswered while the worker ran no task synchronously. */
  silentRounds = 0;
  exitPromise: Promise<void>;
  resolveExit!: () => void;
  constructor() {
    this.exitPromise = new Promise((resolve) => {
      this.resolveExit = resolve;
    });
  }
}

let nextId = 1;
const takeId = () => {
  const id = nextId;
  nextId = nextId >= 0x7fffffff ? 1 : nextId + 1;
  return id;
};

/**
 * One pool scheduler over any {@link TransportFactory}: FIFO queue with optional bound, dispatch to idle
 * workers (several tasks in flight per worker if configured), per-task timeout and abort (a worker stuck
 * in the task is terminated and replaced), crash detection (only the tasks running on the dead worker
 * fail, with `WorkerCrashedError`; unstarted ones run elsewhere), recycling, idle shutdown, and no
 * handle keeping the process alive while idle. `ThreadPool` and `ProcessPool` are thin wrappers.
 *
 * @example
 * ```ts
 * const pool = new Pool({ transport: (handlers) => new MyTransport(handlers), maxWorkers: 2 });
 * await pool.submit((a: number, b: number) => a + b, [1, 2]); // 3
 * await pool.shutdown();
 * ```
 * Like Python's `concurrent.futures.ThreadPoolExecutor` / `ProcessPoolExecutor` internals.
 */
export class Pool implements Executor {
  readonly #factory: TransportFactory;
  readonly #min: number;
  readonly #max: number;
  readonly #idleTimeout: number;
  readonly #maxQueue: number;
  readonly #maxTasks: number;
  readonly #perWorker: number;
  readonly #grace: number;
  readonly #label: string;
  readonly #workers: Slot[] = [];
  readonly #queue: Task[] = [];
  #queueHead = 0;
  /** Live tasks in #queue (abandoned ones stay in the array until reached). */
  #queuedLive = 0;
  readonly #dirty: Slot[] = [];
  /** Functions seen holding a worker for long: never queued behind other tasks on one worker. */
  readonly #slow = new Set<number>();
  #flushQueued = false;
  #closed = false;
  #stopped: Promise<void> | undefined = undefined;
  #pending = 0;
  /** Workers that died before they were ready: back-off, and the proof that start-up is broken. */
  readonly #guard = new StartGuard();
  /** Starts the workers held back by the guard's back-off. Referenced only while tasks are pending. */
  #respawnTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  #drained: (() => void) | undefined = undefined;
  /** Set by shutdown({ cancelPending }): makes the reason for tasks that have not started. */
  #cancelPending: (() => AbortError) | undefined = undefined;

  constructor(options: PoolOptions) {
    options = ownOptions(options, 'options');
    if (options === undefined || typeof options.transport !== 'function') {
      throw new TypeError(
        `${subject('options.transport')} must be a function.${describeReceived(options?.transport)}`,
      );
    }
    validateInteger(options.minWorkers, 'options.minWorkers', 0);
    validateInteger(options.maxWorkers, 'options.maxWorkers', 1);
    validateDuration(options.idleTimeout, 'options.idleTimeout');
    validateInteger(options.maxQueue, 'options.maxQueue', 0, Number.POSITIVE_INFINITY, true);
    validateInteger(
      options.maxTasksPerWorker,
      'options.maxTasksPerWorker',
      1,
      Number.POSITIVE_INFINITY,
      true,
    );
    validateInteger(options.concurrentTasksPerWorker, 'options.concurrentTasksPerWorker', 1);
    validateDuration(options.cancelGrace, 'options.cancelGrace');
    this.#factory = options.transport;
    this.#min = options.minWorkers ?? 0;
    this.#max = options.maxWorkers ?? Math.max(this.#min, availableParallelism());
    if (this.#min > this.#max) {
      throw new RangeError(
        `The value of "options.minWorkers" (${this.#min}) must not exceed "options.maxWorkers" (${this.#max}).`,
      );
    }
    this.#idleTimeout = options.idleTimeout ?? 10_000;
    this.#maxQueue = options.maxQueue ?? Number.POSITIVE_INFINITY;
    this.#maxTasks = options.maxTasksPerWorker ?? Number.POSITIVE_INFINITY;
    this.#perWorker = options.concurrentTasksPerWorker ?? 1;
    this.#grace = options.cancelGrace ?? 20;
    this.#label = options.label ?? 'worker';
    for (let i = 0; i < this.#min; i++) this.#idle(this.#spawn());
  }

  /** Workers alive now. */
  get size(): number {
    return this.#workers.length;
  }

  /** Tasks waiting for a worker. */
  get queued(): number {
    return this.#queuedLive;
  }

  /** Tasks accepted and not yet settled. */
  get pending(): number {
    return this.#pending;
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
    options?: SubmitOptions,
  ): Promise<Awaited<ReturnType<F>>> {
    const ref = toRemoteRef(fn, 'fn');
    if (!Array.isArray(args)) {
      throw new TypeError(`${subject('args')} must be an array.${describeReceived(args)}`);
    }
    let signal: AbortSignal | undefined;
    let timeout: number | undefined;
    let transfer: readonly TransferListItem[] | undefined;
    if (options !== undefined) {
      options = ownOptions(options, 'options');
      ({ signal, timeout, transfer } = options);
      validateSignal(signal, 'options.signal');
      validateDuration(timeout, 'options.timeout');
      if (transfer !== undefined && !Array.isArray(transfer)) {
        throw new TypeError(`${subject('options.transfer')} must be an array.${describeReceived(transfer)}`);
      }
    }
    if (this.#closed) return Promise.reject(new PoolClosedError());
    if (signal?.aborted) return Promise.reject(signal.reason);
    for (let i = 0; i < args.length; i++) {
      const arg = args[i];
      if (arg !== null && (typeof arg === 'object' || typeof arg === 'function' || typeof arg === 'symbol')) {
        try {
          assertCloneable(arg, `argument ${i + 1}`);
        } catch (error) {
          return Promise.reject(error);
        }
      }
    }
    const task = new Task(takeId(), ref, args, transfer);
    const promise = new Promise<Awaited<ReturnType<F>>>((resolve, reject) => {
      task.resolve = resolve as (value: unknown) => void;
      task.reject = reject;
    });
    if (!this.#assign(task)) {
      if (this.queued >= this.#maxQueue) return Promise.reject(new QueueFullError(this.#maxQueue));
      this.#queue.push(task);
      this.#queuedLive++;
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
  }

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
    return mapOnExecutor(this, fn, items, options, this.#max * Math.max(2, this.#perWorker));
  }

  /**
   * Refuses new tasks; waits for accepted ones, then stops the workers. With `wait: false` it returns at once.
   * With `cancelPending`, every task that has not started by the time of the call is rejected with
   * `AbortError` and never starts: those waiting in the pool's queue and those already sent to a worker ahead
   * of time (waiting there behind a busy task). A task has started once its worker has called its function;
   * a started task always runs to its end (its own `signal` and `timeout` still apply).
   *
   * @example
   * ```ts
   * await pool.shutdown({ cancelPending: true });
   * ```
   * Like Python's `Executor.shutdown(wait, cancel_futures)`.
   */
  async shutdown(options?: ShutdownOptions): Promise<void> {
    options = ownOptions(options, 'options');
    const wait = options?.wait ?? true;
    this.#closed = true;
    if (options?.cancelPending && this.#cancelPending === undefined) {
      const reason = (this.#cancelPending = () =>
        new AbortError(
          'The pool was shut down before this task started (shutdown({ cancelPending: true })).',
          {
            cause: new PoolClosedError(),
          },
        ));
      for (let i = this.#queueHead; i < this.#queue.length; i++) {
        const task = this.#queue[i]!;
        if (task.state === QUEUED) this.#settle(task, false, reason());
      }
      this.#queue.length = 0;
      this.#queueHead = 0;
      this.#queuedLive = 0;
      for (const slot of this.#workers) {
        for (const task of slot.outbox) {
          if (task.state !== ASSIGNED) continue;
          slot.inflight.delete(task.id);
          this.#settle(task, false, reason());
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
    // Every call (a second one too) resolves when the same drain-and-stop has finished.
    this.#stopped ??= (async () => {
      if (this.#pending > 0) await new Promise<void>((resolve) => (this.#drained = resolve));
      const exits = this.#workers.map((slot) => slot.exitPromise);
      for (const slot of [...this.#workers]) this.#stop(slot);
      await Promise.all(exits);
    })();
    if (wait) await this.#stopped;
  }

  /** `shutdown()`, for `await using pool = ...`. */
  [asyncDispose](): Promise<void> {
    return this.shutdown();
  }

  // ---- dispatch ---------------------------------------------------------------------------------

  /** Hands `task` to a worker with room, spawning one if allowed; false when all are full. */
  #assign(task: Task): boolean {
    let best: Slot | undefined;
    let bestLoad = Number.POSITIVE_INFINITY;
    for (const slot of this.#workers) {
      if (slot.retiring || slot.stopping) continue;
      const load = slot.inflight.size;
      if (load < bestLoad) {
        best = slot;
        bestLoad = load;
        if (load === 0) break;
      }
    }
    if (bestLoad > 0 && this.#workers.length < this.#max && this.#mayStart()) {
      best = this.#spawn();
      bestLoad = 0;
    }
    if (best === undefined || bestLoad >= this.#limit(task)) return false;
    this.#put(best, task);
    return true;
  }

  #limit(task: Task) {
    return this.#slow.has(task.fid) ? 1 : this.#perWorker;
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

  #put(slot: Slot, task: Task) {
    task.state = ASSIGNED;
    task.worker = slot;
    slot.inflight.set(task.id, task);
    if (slot.idleTimer !== undefined) slot.lastActive = -1;
    if (!slot.referenced) {
      slot.referenced = true;
      slot.transport.ref();
    }
    if (++slot.assigned >= this.#maxTasks) slot.retiring = true;
    if (slot.outbox.length === 0) this.#dirty.push(slot);
    slot.outbox.push(task);
    if (!this.#flushQueued) {
      this.#flushQueued = true;
      queueMicrotask(this.#flush);
    }
  }

  readonly #flush = () => {
    this.#flushQueued = false;
    for (const slot of this.#dirty) this.#send(slot);
    this.#dirty.length = 0;
  };

  #send(slot: Slot) {
    const tasks = slot.outbox;
    slot.outbox = [];
    if (slot.exited) return;
    const message: unknown[] = [MSG_RUN, 0];
    let defs: unknown[] | undefined;
    let transfer: TransferListItem[] | undefined;
    for (const task of tasks) {
      if (task.state !== ASSIGNED) continue;
      const { fid, args } = task;
      if (slot.known[fid] !== true) {
        slot.known[fid] = true;
        (defs ??= []).push(fid, task.ref);
      }
      message.push(task.id, fid, args.length);
      for (let i = 0; i < args.length; i++) message.push(args[i]);
      if (task.transfer !== undefined) (transfer ??= []).push(...task.transfer);
    }
    if (message.length === 2) return;
    if (defs !== undefined) message[1] = defs;
    try {
      slot.transport.send(message, transfer);
    } catch (error) {
      this.#sendFailed(slot, tasks, defs, error);
      return;
    }
    for (const task of tasks) {
      if (task.state !== ASSIGNED) continue;
      task.state = SENT;
      task.seq = slot.sent++;
    }
  }

  /** Nothing was sent: fail the tasks whose arguments cannot be cloned, then send the others. */
  #sendFailed(slot: Slot, tasks: Task[], defs: unknown[] | undefined, error: unknown) {
    if (defs !== undefined) for (let i = 0; i < defs.length; i += 2) slot.known[defs[i] as number] = false;
    let failed = 0;
    for (const task of tasks) {
      if (task.state !== ASSIGNED) continue;
      let problem: unknown;
      for (let i = 0; i < task.args.length && problem === undefined; i++) {
        problem = cloneError(task.args[i], `argument ${i + 1}`);
      }
      if (problem !== undefined) {
        slot.inflight.delete(task.id);
        this.#settle(task, false, problem);
        failed++;
      }
    }
    if (failed === 0) {
      // Not an argument's fault (e.g. a bad transfer list): fail the batch with the error itself.
      for (const task of tasks) {
        if (task.state !== ASSIGNED) continue;
        slot.inflight.delete(task.id);
        this.#settle(task, false, error);
      }
    } else {
      slot.outbox = tasks.filter((t) => t.state === ASSIGNED);
      if (slot.outbox.length > 0) this.#send(slot);
    }
    this.#afterChange(slot);
  }

  // ---- results ----------------------------------------------------------------------------------

  #onMessage(slot: Slot, message: WorkerMessage) {
    slot.silentRounds = 0;
    if (!slot.ready) {
      slot.ready = true;
      this.#guard.started();
    }
    if (message[0] !== MSG_RESULTS) return;
    const slow = message[1] as 0 | number[];
    // A function is slow while its runs report so; one fast run clears it.
    if (this.#slow.size > 0) {
      for (let i = 2; i < message.length; i += 2) {
        const task = slot.inflight.get(Math.abs(message[i] as number));
        if (task !== undefined) this.#slow.delete(task.fid);
      }
    }
    if (slow !== 0) for (let i = 0; i < slow.length; i += 2) this.#slow.add(slow[i]!);
    for (let i = 2; i < message.length; i += 2) {
      const signed = message[i] as number;
      const id = signed > 0 ? signed : -signed;
      const task = slot.inflight.get(id);
      if (task === undefined) continue;
      slot.inflight.delete(id);
      if (task.abandoned) continue;
      const value = message[i + 1];
      if (signed > 0) this.#settle(task, true, value);
      // A cancellation answer for a task not abandoned here can only be shutdown({ cancelPending })'s.
      else if (value === 0) this.#settle(task, false, this.#cancelPending?.() ?? new AbortError());
      else this.#settle(task, false, deserializeError(value as SerializedError));
    }
    this.#afterChange(slot);
  }

  /** Refills `slot` from the queue, or retires / idles it. */
  #afterChange(slot: Slot) {
    if (slot.exited) return;
    if (slot.retiring) {
      if (slot.inflight.size === 0) {
        this.#stop(slot);
        this.#refill();
      }
      return;
    }
    while (!slot.stopping && !slot.retiring) {
      const task = this.#peek();
      if (task === undefined || slot.inflight.size >= this.#limit(task)) break;
      this.#dequeue();
      this.#put(slot, task);
    }
    if (slot.inflight.size === 0) this.#idle(slot);
  }

  /** The first live queued task, or undefined. */
  #peek(): Task | undefined {
    while (this.#queueHead < this.#queue.length) {
      const task = this.#queue[this.#queueHead]!;
      if (task.state === QUEUED) return task;
      this.#queue[this.#queueHead++] = undefined as never;
    }
    if (this.#queueHead > 0) {
      this.#queue.length = 0;
      this.#queueHead = 0;
    }
    return undefined;
  }

  #dequeue(): Task | undefined {
    while (this.#queueHead < this.#queue.length) {
      const task = this.#queue[this.#queueHead]!;
      this.#queue[this.#queueHead++] = undefined as never;
      if (this.#queueHead === this.#queue.length) {
        this.#queue.length = 0;
        this.#queueHead = 0;
      }
      if (task.state === QUEUED) {
        this.#queuedLive--;
        return task;
      }
    }
    return undefined;
  }

  /** Dispatches queued tasks to any worker with room (after a worker left or a task was withdrawn). */
  #refill() {
    while (this.queued > 0) {
      const task = this.#dequeue();
      if (task === undefined) break;
      if (!this.#assign(task)) {
        this.#queue.splice(this.#queueHead, 0, task);
        this.#queuedLive++;
        break;
      }
    }
  }

  #settle(task: Task, ok: boolean, value: unknown) {
    if (task.state === DONE) return;
    task.state = DONE;
    if (task.timer !== undefined) clearTimeout(task.timer);
    task.abortSubscription?.unsubscribe();
    if (ok) task.resolve(value);
    else task.reject(value);
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
    this.#settle(task, false, reason);
    if (state === QUEUED) {
      this.#queuedLive--; // the entry itself is skipped when reached
      return;
    }
    if (slot === undefined) return;
    if (state === ASSIGNED) {
      slot.inflight.delete(task.id); // still in the outbox: #send skips it
      this.#afterChange(slot);
      return;
    }
    task.abandoned = true;
    try {
      slot.transport.send([MSG_CANCEL, task.id]);
    } catch {
      // The worker is gone; its exit handler cleans up.
    }
    this.#arm(slot);
  }

  /** Terminates `slot` if an abandoned task is still running there after the grace period. */
  #arm(slot: Slot) {
    if (slot.watchdog !== undefined || slot.exited) return;
    slot.watchdog = setTimeout(() => {
      slot.watchdog = undefined;
      if (slot.exited) return;
      let waiting = false;
      let live = 0;
      const state = slot.transport.state;
      // With shared state we know which task is executing synchronously right now; without, assume the abandoned one.
      const running = state === undefined ? undefined : Atomics.load(state, STATE_RUNNING);
      const started = state === undefined ? Number.POSITIVE_INFINITY : Atomics.load(state, STATE_STARTED);
      for (const task of slot.inflight.values()) {
        if (!task.abandoned) {
          // A live task the worker has started could be what keeps it busy; one it has not started cannot.
          if (task.state !== DONE && task.seq < started) live++;
          continue;
        }
        if (running === undefined || running === task.id) {
          this.#stop(slot, true);
          return;
        }
        waiting = true;
      }
      // Running no task synchronously, every started task abandoned, yet silent for STUCK_ROUNDS graces in a row:
      // the worker is stuck in an async continuation of one of them (e.g. a loop after an await); its unstarted
      // tasks go back to the queue when it is stopped. With a started live task the culprit could be that one, so
      // the worker is left alone.
      if (waiting && live === 0 && running === 0 && ++slot.silentRounds >= STUCK_ROUNDS) {
        this.#stop(slot, true);
        return;
      }
      if (waiting) this.#arm(slot);
    }, this.#grace);
    slot.watchdog.unref?.();
  }

  // ---- worker lifecycle -------------------------------------------------------------------------

  #spawn(): Slot {
    const slot = new Slot();
    slot.transport = this.#factory({
      onMessage: (message) => this.#onMessage(slot, message),
      onExit: (info) => this.#onExit(slot, info),
    });
    // Listed only once its transport exists: a factory that throws (a runtime without the feature, a permission
    // Deno denied) must leave no half-made worker for shutdown() to stop.
    this.#workers.push(slot);
    return slot;
  }

  #idle(slot: Slot) {
    // A worker being stopped stays referenced until it exits (see #stop), even if an answer it sent before
    // terminate() took effect (a cancellation's, a result) empties it now: its exit is awaited.
    if (slot.stopping || slot.exited) return;
    if (slot.referenced) {
      slot.referenced = false;
      slot.transport.unref();
    }
    if (this.#workers.length <= this.#min || this.#idleTimeout === Number.POSITIVE_INFINITY) return;
    slot.lastActive = performance.now();
    if (slot.idleTimer !== undefined) return;
    const check = () => {
      slot.idleTimer = undefined;
      if (slot.exited || slot.stopping || slot.inflight.size > 0 || this.#workers.length <= this.#min) return;
      const left =
        slot.lastActive < 0 ? this.#idleTimeout : slot.lastActive + this.#idleTimeout - performance.now();
      if (left > 1) {
        slot.idleTimer = setTimeout(check, left);
        slot.idleTimer.unref?.();
      } else {
        this.#stop(slot);
      }
    };
    slot.idleTimer = setTimeout(check, this.#idleTimeout);
    slot.idleTimer.unref?.();
  }

  /** Ends a worker on purpose (idle, recycled, shutdown, or stuck in an abandoned task). */
  #stop(slot: Slot, stuck = false) {
    if (slot.stopping || slot.exited) return;
    slot.stopping = true;
    if (stuck) slot.retiring = true;
    if (slot.idleTimer !== undefined) clearTimeout(slot.idleTimer);
    const index = this.#workers.indexOf(slot);
    if (index >= 0) this.#workers.splice(index, 1);
    // Its exit is awaited (shutdown, the exit handler): an idle, unref'd worker must keep the loop alive until then,
    // or the process could exit with that await unsettled.
    if (!slot.referenced) {
      slot.referenced = true;
      slot.transport.ref();
    }
    slot.transport.terminate();
    if (stuck) this.#replace();
  }

  #onExit(slot: Slot, info: ExitInfo) {
    if (slot.exited) return;
    slot.exited = true;
    if (slot.idleTimer !== undefined) clearTimeout(slot.idleTimer);
    if (slot.watchdog !== undefined) clearTimeout(slot.watchdog);
    const index = this.#workers.indexOf(slot);
    if (index >= 0) this.#workers.splice(index, 1);
    const state = slot.transport.state;
    const started = state === undefined ? Number.POSITIVE_INFINITY : Atomics.load(state, STATE_STARTED);
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
        retry.push(task);
      } else {
        this.#settle(task, false, crash());
        failed++;
      }
    }
    slot.inflight.clear();
    slot.outbox.length = 0;
    if (retry.length > 0) {
      this.#queue.splice(this.#queueHead, 0, ...retry);
      this.#queuedLive += retry.length;
    }
    if (!slot.stopping && !slot.ready) this.#startFailed(info);
    else if (!slot.stopping && failed === 0 && info.error !== undefined) {
      // An error no task was waiting for (e.g. thrown from a timer after the task returned): report it.
      process.emitWarning(
        `A ${this.#label} of the pool crashed after its tasks had settled and was replaced: ${info.error.stack ?? info.error}`,
        { code: 'ERR_X_WORKER_CRASHED' },
      );
    }
    slot.resolveExit();
    this.#replace();
  }

  /**
   * A worker died before it was ready (its tasks are back in the queue: none had started). Killed from
   * outside, it only delays the next start; failing deterministically, it counts towards the proof that
   * start-up is broken, and once proven, every task waiting for a worker fails at once with that error.
   */
  #startFailed(info: ExitInfo) {
    const how = info.signal ? `was killed by ${info.signal}` : `exited with code ${info.code}`;
    const error = info.error ?? new Error(`The ${this.#label} ${how} before it was ready.`);
    const broken = this.#guard.failed(error, info.killed === true);
    if (info.killed === true) return; // an OOM killer, an operator: not the program's fault, nothing to report
    // A worker that is up serves the queue whatever new ones do: nothing waits in vain.
    const serving = this.#workers.some((slot) => slot.ready && !slot.stopping && !slot.retiring);
    const failed = broken === undefined || serving ? 0 : this.#failWaiting(broken, info);
    if (failed === 0) {
      process.emitWarning(
        `A ${this.#label} of the pool failed to start and was replaced: ${error.stack ?? error}`,
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
        `Every new ${this.#label} of the pool failed to start, ${this.#guard.threshold} in a row with the same error and none started since (${cause.message}); the task was not run. The pool tries again, after a back-off, for the tasks that come next.`,
        { cause },
      );
    let failed = 0;
    for (let task = this.#dequeue(); task !== undefined; task = this.#dequeue()) {
      this.#settle(task, false, crash());
      failed++;
    }
    for (const slot of [...this.#workers]) {
      if (slot.ready || slot.stopping || slot.inflight.size === 0) continue;
      const state = slot.transport.state;
      const started = state === undefined ? Number.POSITIVE_INFINITY : Atomics.load(state, STATE_STARTED);
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
      this.#stop(slot);
    }
    return failed;
  }

  /** Keeps `minWorkers` alive and the queue moving after a worker left (or when the back-off is over). */
  #replace() {
    if (this.#closedForSpawn()) return;
    while (!this.#closed && this.#workers.length < this.#min && this.#mayStart()) this.#idle(this.#spawn());
    this.#refill();
  }
}
