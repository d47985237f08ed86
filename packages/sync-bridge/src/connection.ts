import {
  MessageChannel,
  type MessagePort,
  type ResourceLimits,
  receiveMessageOnPort,
  Worker,
} from 'node:worker_threads';
import {
  ownOptions,
  type RemoteRef,
  type SerializedError,
  TimeoutError,
  WorkerCrashedError,
} from '@x/executor';
import { ReentrantCallError } from './errors.js';
import { locateWorker } from './locate-worker.js';
import {
  CONTROL_SLOTS,
  EXIT_CODE,
  type FromWorker,
  HAS_EXIT_CODE,
  REQ,
  RESP,
  STATE,
  STATE_DEAD,
  STATE_READY,
  STATE_STARTING,
  type ToWorker,
  WAS_READY,
} from './protocol.js';
import { AdaptiveSpin } from './spin.js';
import { watchForExit } from './watchdog.js';
import { receiveError } from './wire.js';

/**
 * The watchdog thread is started only for a wait that lasts: a call answered within this many ms never
 * needs it (a worker that exits through process.exit or an uncaught error reports that itself), and not
 * starting a thread keeps short-lived scripts fast.
 */
const WATCH_AFTER_MS = 20;
/** With a finite `timeout`, how long a worker may take to start (the call's own clock starts after). */
const STARTUP_TIMEOUT_MS = 30_000;
/** A worker still starting after this long gets watched anyway (it may have died while starting). */
const WATCH_STARTUP_AFTER_MS = 1000;

/** What a call waits for; filled in by {@link Connection.dispatch}. */
export interface CallRecord {
  settled: boolean;
  ok: boolean;
  value: unknown;
  error: SerializedError | undefined;
}

/** The consumer side of one stream: the chunks received and not yet taken, and how it ended. */
export interface StreamRecord {
  chunks: unknown[];
  head: number;
  ended: boolean;
  error: SerializedError | undefined;
  closed: boolean;
  closeError: SerializedError | undefined;
  /** Set when the worker died or was reset under this stream. */
  failure: Error | undefined;
}

export interface ConnectionOptions {
  resourceLimits: ResourceLimits | undefined;
  execArgv: string[] | undefined;
  /** How long each side spins for the other before it sleeps in Atomics.wait, in ms (0: never). */
  spinMs: number;
}

/**
 * One bridge worker and the channel to it, seen from the calling thread. A connection that died or timed
 * out is dropped by its bridge and never used again; the next call starts a fresh one.
 */
export class Connection {
  readonly control = new Int32Array(new SharedArrayBuffer(CONTROL_SLOTS * 4));
  readonly calls = new Map<number, CallRecord>();
  readonly streams = new Map<number, StreamRecord>();
  readonly #port: MessagePort;
  readonly #worker: Worker;
  #fatal: SerializedError | undefined;
  /** Our end of the port the worker holds, until the watchdog takes it. */
  #watched: MessagePort | undefined;
  readonly #created = performance.now();
  readonly #known = new Set<string>();
  #waiting = false;
  /** How long the caller spins for an answer before it sleeps in Atomics.wait. */
  readonly #spinner: AdaptiveSpin;
  /** Why this connection can no longer be used; set once. */
  failure: Error | undefined;

  constructor(options: ConnectionOptions) {
    const { port1, port2 } = new MessageChannel();
    const { port1: watched, port2: watch } = new MessageChannel();
    this.#watched = watched;
    this.#port = port1;
    this.#spinner = new AdaptiveSpin(options.spinMs);
    // On a null prototype: Node reads the options we do not set (`eval`, `env`, ...) by plain property access.
    this.#worker = new Worker(
      locateWorker(),
      ownOptions(
        {
          workerData: { control: this.control, port: port2, watch, spinMs: options.spinMs },
          transferList: [port2, watch],
          resourceLimits: options.resourceLimits,
          execArgv: options.execArgv,
          name: '@x/sync-bridge',
        },
        'options',
      ),
    );
    // The caller never needs this thread's event loop to stay up: a script exits when its own work ends.
    this.#worker.unref();
    // Its death is reported to the blocked caller through the control array; the 'error' event only
    // matters when nobody is waiting.
    this.#worker.on('error', () => {});
    this.#worker.on('exit', (code) => {
      this.#fail(this.#crashError(code));
    });
    // Messages that arrive while nobody waits (output of background work, chunks of a stream the consumer
    // has not pulled yet) are taken here when the caller's event loop runs.
    port1.on('message', (message: FromWorker) => this.dispatch(message));
    port1.unref();
  }

  /** The worker came up (even if it died since): its start-up works. */
  get started(): boolean {
    return Atomics.load(this.control, WAS_READY) === 1;
  }

  /**
   * False when the connection failed or its worker is known to be dead (it may have died while nobody
   * waited); a dead one is failed here with its crash error, which its open streams then report.
   */
  isUsable(): boolean {
    if (this.failure) return false;
    const control = this.control;
    if (Atomics.load(control, STATE) !== STATE_DEAD && Atomics.load(control, HAS_EXIT_CODE) !== 1)
      return true;
    this.#drain();
    this.#fail(
      this.#crashError(Atomics.load(control, HAS_EXIT_CODE) === 1 ? Atomics.load(control, EXIT_CODE) : null),
    );
    return false;
  }

  /**
   * Hands the worker's death notice to the watchdog when a wait has lasted `WATCH_AFTER_MS` with the worker
   * up, or the worker is slow to come up: booting the watchdog alongside the worker would slow down the
   * first call. If the worker died meanwhile, the watchdog still sees it at once (the close is queued).
   */
  #watch(waitStart: number): void {
    const port = this.#watched;
    if (port === undefined) return;
    const now = performance.now();
    const due =
      Atomics.load(this.control, STATE) === STATE_STARTING
        ? now - this.#created >= WATCH_STARTUP_AFTER_MS
        : now - waitStart >= WATCH_AFTER_MS;
    if (!due) return;
    this.#watched = undefined;
    watchForExit(this.control, port);
  }

  /**
   * The reference to send: the whole of it the first time, then only its key, which the worker has cached
   * (for a long self-contained function this saves cloning its source on every call).
   */
  refFor(ref: RemoteRef): RemoteRef | string {
    if (this.#known.has(ref.key)) return ref.key;
    this.#known.add(ref.key);
    return ref;
  }

  /** After a failure the worker may not have cached `key` (a compile or import error): send it whole again. */
  forget(key: string): void {
    this.#known.delete(key);
  }

  /** Posts `message` to the worker and wakes it if it is blocked. Throws the clone error as is. */
  send(message: ToWorker): void {
    this.#port.postMessage(message);
    Atomics.add(this.control, REQ, 1);
    Atomics.notify(this.control, REQ, 1);
  }

  dispatch(message: FromWorker): void {
    switch (message.t) {
      case 'ok':
      case 'err': {
        const call = this.calls.get(message.id);
        if (!call) return;
        call.settled = true;
        call.ok = message.t === 'ok';
        if (message.t === 'ok') call.value = message.value;
        else call.error = message.error;
        return;
      }
      case 'chunks': {
        const stream = this.streams.get(message.id);
        if (!stream) return;
        if (stream.head === stream.chunks.length) {
          stream.chunks = message.chunks;
          stream.head = 0;
        } else {
          for (const chunk of message.chunks) stream.chunks.push(chunk);
        }
        if (message.end) stream.ended = true;
        if (message.error) {
          stream.ended = true;
          stream.error = message.error;
        }
        return;
      }
      case 'closed': {
        const stream = this.streams.get(message.id);
        if (!stream) return;
        stream.closed = true;
        stream.closeError = message.error;
        return;
      }
      case 'out':
        (message.fd === 1 ? process.stdout : process.stderr).write(message.data);
        return;
      case 'fatal':
        this.#fatal = message.error;
        return;
    }
  }

  /** Dispatches the messages received so far, stopping early once `done()` holds. */
  #drain(done?: () => boolean): void {
    for (let m = receiveMessageOnPort(this.#port); m !== undefined; m = receiveMessageOnPort(this.#port)) {
      this.dispatch(m.message as FromWorker);
      if (done?.()) return;
    }
  }

  /**
   * Blocks the calling thread until `done()` holds (true), reading the worker's messages as they come, or
   * until `giveUpAfter` ms have passed (false; nothing is failed). Throws a TimeoutError after `timeout` ms
   * (counted from when the worker is up) and the crash error if the worker died; either way the connection
   * is failed and must be dropped.
   */
  waitUntil(
    done: () => boolean,
    timeout: number,
    what: string,
    giveUpAfter = Number.POSITIVE_INFINITY,
  ): boolean {
    if (this.failure) throw this.failure;
    if (this.#waiting)
      throw new ReentrantCallError(
        'A sync-bridge call was made while another one on the same thread was waiting (from an output hook?); it would deadlock.',
      );
    this.#waiting = true;
    try {
      const control = this.control;
      let deadline = Number.POSITIVE_INFINITY;
      const waitStart = performance.now();
      for (;;) {
        const seen = Atomics.load(control, RESP);
        this.#drain(done);
        if (done()) return true;
        this.#watch(waitStart);
        if (!this.isUsable()) {
          if (done()) return true;
          throw this.failure!;
        }
        const left = waitStart + giveUpAfter - performance.now();
        if (left <= 0) return false;
        let wait = Number.POSITIVE_INFINITY;
        if (timeout !== Number.POSITIVE_INFINITY) {
          const now = performance.now();
          let message: string | undefined;
          if (Atomics.load(control, STATE) === STATE_READY) {
            if (deadline === Number.POSITIVE_INFINITY) deadline = now + timeout;
            wait = deadline - now;
            if (wait <= 0) {
              message = `${what} did not settle within its timeout of ${timeout} ms. The bridge worker was terminated; the next call starts a fresh one.`;
            }
          } else {
            // Start-up is not held against the call's timeout, but a worker that never comes up must not
            // block forever either.
            wait = this.#created + Math.max(timeout, STARTUP_TIMEOUT_MS) - now;
            if (wait <= 0) {
              message = `The sync-bridge worker did not start within ${Math.max(timeout, STARTUP_TIMEOUT_MS)} ms; it was terminated. Check the execArgv option.`;
            }
          }
          if (message !== undefined) {
            const error = new TimeoutError(timeout, message);
            this.#fail(error);
            throw error;
          }
        }
        if (this.#spinner.spin(control, RESP, seen)) continue;
        Atomics.wait(control, RESP, seen, Math.min(wait, left, this.#watched ? WATCH_AFTER_MS : left));
      }
    } finally {
      this.#waiting = false;
    }
  }

  #crashError(exitCode: number | null): WorkerCrashedError {
    const cause = this.#fatal === undefined ? undefined : receiveError(this.#fatal);
    const how =
      Atomics.load(this.control, WAS_READY) !== 1
        ? `failed to start${exitCode === null ? '' : ` (exit code ${exitCode})`}: check the execArgv and resourceLimits options, and that @x/executor can be loaded`
        : exitCode === null
          ? 'was terminated without running its exit handlers (most likely it ran out of memory: see the resourceLimits option)'
          : `exited with code ${exitCode}`;
    const why = cause instanceof Error ? ` after an uncaught ${cause.name}: ${cause.message}` : '';
    return new WorkerCrashedError(
      exitCode,
      null,
      `The sync-bridge worker ${how}${why} before answering. The next call starts a fresh worker; retry if the work is safe to run again.`,
      cause === undefined ? undefined : { cause },
    );
  }

  /** Marks the connection unusable, fails what is in flight on it, and stops its worker. */
  #fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    for (const stream of this.streams.values()) stream.failure ??= error;
    this.#port.close();
    this.#watched?.close();
    void this.#worker.terminate();
  }

  /** Stops the worker (`bridge.close()`): what is still open fails with `error`. */
  close(error: Error): void {
    this.#fail(error);
  }
}
