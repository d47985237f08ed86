import { existsSync } from 'node:fs';
import {
  MessageChannel,
  type MessagePort,
  type ResourceLimits,
  receiveMessageOnPort,
  Worker,
} from 'node:worker_threads';
import { type RemoteRef, type SerializedError, TimeoutError, WorkerCrashedError } from '@x/executor';
import { ReentrantCallError } from './errors.js';
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
} from './protocol.js';
import { AdaptiveSpin } from './spin.js';
import { watchForExit } from './watchdog.js';
import { receiveError } from './wire.js';

/** How long the caller spins for an answer before it sleeps in Atomics.wait. */
const spinner = new AdaptiveSpin(Number(process.env.SB_SPIN_C ?? 0.05));

/** A worker not up after this long gets watched anyway (it may have died while starting). */
const WATCH_AFTER_MS = 100;

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
}

let workerFile: URL | undefined;

/** The built worker entry next to this module (dist/), or dist/worker.js when running from src/. */
function locateWorker(): URL {
  if (workerFile) return workerFile;
  const candidates = [new URL('./worker.js', import.meta.url), new URL('../dist/worker.js', import.meta.url)];
  workerFile = candidates.find((url) => existsSync(url));
  if (!workerFile) {
    throw new Error(
      `@x/sync-bridge cannot find its worker entry (looked for ${candidates.map((u) => u.pathname).join(', ')}). If you bundle this package, copy dist/worker.js next to the bundle.`,
    );
  }
  return workerFile;
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
  /** Why this connection can no longer be used; set once. */
  failure: Error | undefined;

  constructor(options: ConnectionOptions) {
    const { port1, port2 } = new MessageChannel();
    const { port1: watched, port2: watch } = new MessageChannel();
    this.#watched = watched;
    this.#port = port1;
    this.#worker = new Worker(locateWorker(), {
      workerData: { control: this.control, port: port2, watch },
      transferList: [port2, watch],
      resourceLimits: options.resourceLimits,
      execArgv: options.execArgv,
      name: '@x/sync-bridge',
    });
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
   * Hands the worker's death notice to the watchdog once the worker is up (or slow to come up): starting
   * the watchdog thread at the same time as the worker would slow the first call down.
   */
  #watch(): void {
    const port = this.#watched;
    if (port === undefined) return;
    if (Atomics.load(this.control, STATE) === STATE_STARTING && performance.now() - this.#created < WATCH_AFTER_MS) return;
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

  #drain(): void {
    for (let m = receiveMessageOnPort(this.#port); m !== undefined; m = receiveMessageOnPort(this.#port)) {
      this.dispatch(m.message as FromWorker);
    }
  }

  /**
   * Blocks the calling thread until `done()` holds, reading the worker's messages as they come. Throws a
   * TimeoutError after `timeout` ms (counted from when the worker is up) and the crash error if the worker
   * died; either way the connection is failed and must be dropped.
   */
  waitUntil(done: () => boolean, timeout: number, what: string): void {
    if (this.failure) throw this.failure;
    if (this.#waiting)
      throw new ReentrantCallError(
        'A sync-bridge call was made while another one on the same thread was waiting (from an output hook?); it would deadlock.',
      );
    this.#waiting = true;
    try {
      const control = this.control;
      let deadline = Number.POSITIVE_INFINITY;
      for (;;) {
        const seen = Atomics.load(control, RESP);
        this.#drain();
        if (done()) return;
        this.#watch();
        if (!this.isUsable()) {
          if (done()) return;
          throw this.failure!;
        }
        let wait = Number.POSITIVE_INFINITY;
        if (timeout !== Number.POSITIVE_INFINITY && Atomics.load(control, STATE) === STATE_READY) {
          const now = performance.now();
          if (deadline === Number.POSITIVE_INFINITY) deadline = now + timeout;
          wait = deadline - now;
          if (wait <= 0) {
            const error = new TimeoutError(
              timeout,
              `${what} did not settle within its timeout of ${timeout} ms. The bridge worker was terminated; the next call starts a fresh one.`,
            );
            this.#fail(error);
            throw error;
          }
        }
        if (spinner.spin(control, RESP, seen)) continue;
        Atomics.wait(control, RESP, seen, this.#watched ? Math.min(wait, WATCH_AFTER_MS) : wait);
      }
    } finally {
      this.#waiting = false;
    }
  }

  #crashError(exitCode: number | null): WorkerCrashedError {
    const cause = this.#fatal === undefined ? undefined : receiveError(this.#fatal);
    const how =
      exitCode === null
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
