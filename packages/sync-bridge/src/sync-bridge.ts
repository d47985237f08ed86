import type { ResourceLimits } from 'node:worker_threads';
import {
  type AnyFunction,
  assertRuntimeSupport,
  describeReceived,
  ownOptions,
  type RemoteFunction,
  StartGuard,
  toRemoteRef,
  validateDuration,
  validateInteger,
  WorkerCrashedError,
} from '@x/executor';
import { type CallRecord, Connection } from './connection.js';
import { BridgeClosedError, ReentrantCallError } from './errors.js';
import { IN_BRIDGE_WORKER } from './protocol.js';
import { spinMsFor } from './spin.js';
import { SyncStream } from './sync-stream.js';
import { receiveError, sendCall } from './wire.js';

/** Options of {@link SyncBridge}. */
export interface SyncBridgeOptions {
  /**
   * Bounds every blocking wait, in milliseconds: a `run`, each step of a stream, closing a stream. A wait
   * that would last longer throws `TimeoutError` and the worker is terminated (the next call starts a
   * fresh one). The clock starts once the worker is up, so start-up does not count.
   * @default Infinity
   * @example new SyncBridge({ timeout: 5_000 })
   */
  timeout?: number;
  /**
   * How many chunks a stream's producer may run ahead of the consumer before it waits (backpressure).
   * @default 128
   * @example new SyncBridge({ highWaterMark: 1 }) // produce a chunk only when the last one was taken
   */
  highWaterMark?: number;
  /**
   * Heap limits of the bridge worker (`worker_threads` `resourceLimits`); exceeding them kills the worker,
   * which fails the running call with `WorkerCrashedError` and is replaced.
   * @default undefined (Node's defaults)
   * @example new SyncBridge({ resourceLimits: { maxOldGenerationSizeMb: 64 } })
   */
  resourceLimits?: ResourceLimits;
  /**
   * Node options of the bridge worker.
   * @default undefined (the parent's)
   * @example new SyncBridge({ execArgv: ['--enable-source-maps'] })
   */
  execArgv?: string[];
  /**
   * The longest the caller spins for an answer, and the worker for the next request, before sleeping in
   * `Atomics.wait`, in microseconds. When both threads have a core, a spin catches an answer that is
   * microseconds away without a kernel wake-up (under 1 µs instead of 10 to 40 µs per hand-off); when they
   * share one, spinning only delays the other thread, so each side halves its budget on every spin that times
   * out, down to none, and probes again with the whole budget every 32nd wait. So a call burns at most this
   * much CPU on each side per wait. `0` never spins: the least CPU, a kernel wake-up per hand-off. Where the
   * process may use only one CPU (`os.availableParallelism()` is 1: pinned with `taskset`, a one-CPU
   * container), it never spins either.
   * @default 200
   * @example new SyncBridge({ spin: 0 }) // a loaded server: never busy-wait
   */
  spin?: number;
}

/**
 * The chunk type of the async (or sync) iterable a stream function returns, awaited.
 *
 * @example
 * ```ts
 * type T = StreamChunk<() => AsyncGenerator<string>>; // string
 * ```
 * Python's counterpart is the `T` of `AsyncIterator[T]`.
 */
export type StreamChunk<F extends AnyFunction> =
  Awaited<ReturnType<F>> extends AsyncIterable<infer T>
    ? T
    : Awaited<ReturnType<F>> extends Iterable<infer T>
      ? T
      : unknown;

const DEFAULT_HIGH_WATER_MARK = 128;
const DEFAULT_SPIN_MICROS = 200;
/** A longer spin is never worth it: a kernel wake-up costs tens of microseconds at worst. */
const MAX_SPIN_MICROS = 10_000;

function assertNotInBridgeWorker(): void {
  if ((globalThis as Record<symbol, unknown>)[IN_BRIDGE_WORKER] === true) throw new ReentrantCallError();
}

/**
 * A bridge from synchronous code to async code: one persistent worker thread with its own event loop runs
 * the async functions while the calling thread blocks in `Atomics.wait`. Use it for its own `timeout`,
 * `resourceLimits` or `highWaterMark`, or to stop the worker with `close()`; `runSync` and
 * `runSyncStream` use a shared default bridge. Throws a `TypeError`/`RangeError` for invalid options.
 *
 * @example
 * ```ts
 * using bridge = new SyncBridge({ timeout: 10_000 });
 * const user = bridge.run(async (id) => (await fetch(`https://api.example.com/users/${id}`)).json(), 42);
 * ```
 * Python's counterpart is a `ThreadPoolExecutor(1)` whose thread runs `asyncio.run(coro)`.
 */
export class SyncBridge implements Disposable {
  readonly #timeout: number;
  readonly #highWaterMark: number;
  readonly #resourceLimits: ResourceLimits | undefined;
  readonly #execArgv: string[] | undefined;
  readonly #spinMs: number;
  #connection: Connection | undefined;
  /** Workers that failed to start: back-off, and the proof that start-up is broken (as in the pools). */
  readonly #guard = new StartGuard();
  /** The connection whose start (or failure to start) the guard has not been told yet. */
  #unobserved: Connection | undefined;
  #closed = false;
  #nextId = 1;

  constructor(options: SyncBridgeOptions = {}) {
    options = ownOptions(options, 'options');
    validateDuration(options.timeout, 'options.timeout');
    validateInteger(options.highWaterMark, 'options.highWaterMark', 1);
    validateInteger(options.spin, 'options.spin', 0, MAX_SPIN_MICROS);
    const resourceLimits = ownOptions(options.resourceLimits, 'options.resourceLimits');
    const { execArgv } = options;
    if (execArgv !== undefined && (!Array.isArray(execArgv) || execArgv.some((a) => typeof a !== 'string'))) {
      throw new TypeError(
        `The "options.execArgv" property must be an array of strings.${describeReceived(execArgv)}`,
      );
    }
    assertRuntimeSupport('@x/sync-bridge', {
      resourceLimits: resourceLimits !== undefined,
      permissions: [{ name: 'read', why: 'to load its bridge worker', path: new URL('.', import.meta.url) }],
    });
    this.#timeout = options.timeout ?? Number.POSITIVE_INFINITY;
    this.#highWaterMark = options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK;
    this.#resourceLimits = resourceLimits;
    this.#execArgv = options.execArgv;
    this.#spinMs = spinMsFor(options.spin ?? DEFAULT_SPIN_MICROS);
  }

  /** True once {@link SyncBridge.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Runs `fn(...args)` in the bridge worker and returns its value synchronously, or throws its error
   * (same class, message, remote stack, `cause`). `fn` is a self-contained function or a `fromModule`
   * reference. Throws `TypeError` for a non-function, `DataCloneError` for an argument or result that
   * cannot be cloned, `TimeoutError` past `timeout`, `WorkerCrashedError` if the worker died.
   *
   * @example
   * ```ts
   * const sum = bridge.run(async (a, b) => a + b, 1, 2); // 3
   * ```
   * Like Python's `asyncio.run(coro)` called from synchronous code, on a thread of its own.
   */
  run<F extends AnyFunction>(fn: RemoteFunction<F>, ...args: Parameters<F>): Awaited<ReturnType<F>> {
    const ref = toRemoteRef(fn, 'fn');
    assertNotInBridgeWorker();
    const connection = this.#connect();
    const id = this.#nextId++;
    const record: CallRecord = { settled: false, ok: false, value: undefined, error: undefined };
    connection.calls.set(id, record);
    try {
      try {
        sendCall(connection, { t: 'call', id, ref: connection.refFor(ref), args }, args);
      } catch (error) {
        connection.forget(ref.key);
        throw error;
      }
      connection.waitUntil(() => record.settled, this.#timeout, 'runSync()');
    } finally {
      connection.calls.delete(id);
      this.#observe();
    }
    if (record.ok) return record.value as Awaited<ReturnType<F>>;
    connection.forget(ref.key);
    throw receiveError(record.error!);
  }

  /**
   * Starts the async iterable `fn(...args)` returns in the bridge worker and returns a synchronous
   * generator of its chunks, each delivered as soon as it is produced; the producer runs at most
   * `highWaterMark` chunks ahead. Leaving the loop early closes the async iterator (its `finally` runs);
   * a producer's error is thrown at the consumer's next step. Throws like {@link SyncBridge.run}.
   *
   * @example
   * ```ts
   * for (const token of bridge.stream(async function* () { yield 'Hel'; yield 'lo'; })) process.stdout.write(token);
   * ```
   * Like iterating an async generator with `async for` from synchronous Python code through a thread.
   */
  stream<F extends AnyFunction>(fn: RemoteFunction<F>, ...args: Parameters<F>): SyncStream<StreamChunk<F>> {
    const ref = toRemoteRef(fn, 'fn');
    assertNotInBridgeWorker();
    const connection = this.#connect();
    return new SyncStream(connection, this.#nextId++, ref, args, this.#highWaterMark, this.#timeout);
  }

  /**
   * Terminates the bridge worker. Further calls throw `BridgeClosedError`, and so does the next step of a
   * stream still open on it. Idempotent.
   *
   * @example
   * ```ts
   * const bridge = new SyncBridge();
   * try { bridge.run(work); } finally { bridge.close(); }
   * ```
   * Like Python's `executor.shutdown(wait=False)`.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#connection?.close(new BridgeClosedError());
    this.#connection = undefined;
  }

  /** Same as {@link SyncBridge.close}, for `using bridge = new SyncBridge()`. */
  [Symbol.dispose](): void {
    this.close();
  }

  #connect(): Connection {
    if (this.#closed) throw new BridgeClosedError();
    let connection = this.#connection;
    // A worker that died between calls fails no new call: its open streams learn it at their next step.
    if (connection === undefined || !connection.isUsable()) {
      this.#observe();
      const broken = this.#guard.broken;
      const wait = Math.ceil(this.#guard.wait());
      if (broken !== undefined && wait > 0) {
        // A caller blocked in a back-off would only wait for the same failure: fail at once instead.
        throw new WorkerCrashedError(
          broken instanceof WorkerCrashedError ? broken.exitCode : null,
          null,
          `The sync-bridge worker failed to start ${this.#guard.threshold} times in a row with the same error (${broken.message}); the call was not run. The next call after ${wait} ms starts a new worker; check the execArgv and resourceLimits options.`,
          { cause: broken },
        );
      }
      try {
        connection = new Connection({
          resourceLimits: this.#resourceLimits,
          execArgv: this.#execArgv,
          spinMs: this.#spinMs,
        });
      } catch (error) {
        this.#guard.failed(error as Error, false);
        throw error;
      }
      this.#connection = connection;
      this.#unobserved = connection;
    }
    return connection;
  }

  /**
   * Tells the guard how the last worker's start went, once known. The caller, blocked while the worker
   * starts, cannot see why a worker died (its 'error' event needs the caller's event loop), so every death
   * before the worker was up counts as a failure of its own.
   */
  #observe(): void {
    const connection = this.#unobserved;
    if (connection === undefined) return;
    if (connection.started) this.#guard.started();
    else if (connection.failure === undefined) return;
    else if (!(connection.failure instanceof BridgeClosedError))
      this.#guard.failed(connection.failure, false);
    this.#unobserved = undefined;
  }
}
