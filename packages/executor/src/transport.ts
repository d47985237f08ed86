import type { TransferListItem } from 'node:worker_threads';

/**
 * The seam between the pool scheduler and a kind of worker. A worker thread and a child process each
 * implement {@link Transport}; the scheduler (`Pool`) and the worker loop (`serveWorker`) speak the
 * message protocol below over it. Messages are flat arrays (cheaper to structured-clone than objects)
 * and carry many tasks or results at once.
 */

/** How a worker ended. Exactly one per transport, after which no message is delivered. */
export interface ExitInfo {
  /** Exit code, or null when killed by a signal. */
  code: number | null;
  /** Signal name (child processes), or null. */
  signal: string | null;
  /** The uncaught error (or out-of-memory error) that ended it, when known. */
  error?: Error;
  /**
   * It was stopped from outside, not by anything it ran: a signal such as `SIGKILL` or `SIGTERM` (an OOM
   * killer, an orchestrator, an operator), or a `terminate()` the pool did not ask for. When such a worker
   * was still starting, that says nothing about whether its start-up works (see `StartGuard`).
   */
  killed?: boolean;
}

/** Callbacks a transport calls; passed to the {@link TransportFactory}. */
export interface TransportHandlers {
  /** A message from the worker (a {@link WorkerMessage}). */
  onMessage(message: WorkerMessage): void;
  /**
   * The worker is gone (crashed, exited or terminated). Called once. A worker that never sent a message
   * (not even {@link MSG_READY}) died while starting.
   */
  onExit(info: ExitInfo): void;
}

/**
 * One running worker (a thread, a child process, ...) as the scheduler sees it.
 *
 * @example
 * ```ts
 * const factory: TransportFactory = (handlers) => new ThreadTransport(workerFile, handlers);
 * ```
 * Python's counterpart is the process object behind `ProcessPoolExecutor`.
 */
export interface Transport {
  /**
   * Sends one {@link MainMessage}. May throw synchronously (e.g. a `DataCloneError` from `postMessage`),
   * in which case nothing was sent.
   */
  send(message: MainMessage, transfer?: readonly TransferListItem[]): void;
  /** Stops the worker now; `onExit` follows. Idempotent. */
  terminate(): void;
  /**
   * Ends an idle worker gracefully: it runs its `teardown` (if any), then exits; `onExit` follows. A worker
   * whose teardown has not finished within {@link TEARDOWN_TIMEOUT_MS} is terminated. Without this method the
   * pool calls `terminate()`.
   */
  stop?(): void;
  /** Let the worker keep the process alive (it is busy). */
  ref(): void;
  /** Let the process exit even though the worker is alive (it is idle). */
  unref(): void;
  /**
   * Memory shared with the worker (threads only): an `Int32Array` of {@link STATE_LENGTH} slots the worker
   * loop updates (see `STATE_*`). Lets the scheduler tell a task stuck in sync code from one not started.
   */
  readonly state?: Int32Array;
  /**
   * Tells the worker, effective at once, that every task it has not started must not start: it answers each
   * such task as cancelled when it reaches it (shutdown with `cancelPending`). Threads set a shared-memory
   * slot and a child process a byte of a file it reads before each task, so "not started when `shutdown` was
   * called" is exact. Returns false when this worker cannot be told so (the scheduler then relies on
   * `MSG_CANCEL` alone, which the worker reads before each task too, but only once it arrives).
   */
  cancelUnstarted?(): boolean;
  /**
   * The worker's memory in MiB as of its last `MSG_RESULTS` (V8 heap used for a thread, resident set size for
   * a process), or undefined when it does not measure it. Transports measure only when the pool has a
   * `maxMemory`.
   */
  memory?(): number | undefined;
  /** The child's process id (process transports), for the pool's events. */
  readonly pid?: number;
  /** The thread's id (thread transports), for the pool's events. */
  readonly threadId?: number;
}

/**
 * Starts one worker. The factory closes over what it needs (the entry script, `execArgv`, `env`, ...);
 * the worker's entry calls `serveWorker` with the other end of the channel.
 */
export type TransportFactory = (handlers: TransportHandlers) => Transport;

/**
 * Main -> worker: run tasks. Layout: `[MSG_RUN, defs, id, fid, argc, ...args, id, fid, argc, ...args, ...]`.
 * `fid` is a small number standing for a function; `defs` is 0 or `[fid, RemoteRef, ...]` for the functions
 * this worker has not seen yet (each is sent once per worker). Flat, so a batch clones fast. A task with
 * options has `[fid, flags, highWaterMark]` in place of `fid`: `flags` is a sum of `TASK_*` bits, and
 * `highWaterMark` the credit of a stream (see {@link TASK_STREAM}).
 */
export const MSG_RUN = 0;
/**
 * Main -> worker: the listed tasks were abandoned. Layout: `[MSG_CANCEL, id, id, ...]`. A negative id asks to drop
 * task `-id` only if it has not started (shutdown with `cancelPending`); a started one runs to its end.
 */
export const MSG_CANCEL = 1;
/**
 * Worker -> main: settled tasks. Layout: `[MSG_RESULTS, slow, id, value, id, value, ...]`. A positive `id`
 * fulfilled with `value`; a negative one failed: `value` is a `SerializedError`, or 0 when the task was
 * cancelled (answer to MSG_CANCEL). `slow` is 0 or `[fid, microseconds, ...]` for tasks whose synchronous
 * part held the worker longer than {@link SLOW_TASK_MICROS}.
 */
export const MSG_RESULTS = 2;

/**
 * Worker -> main: the worker is up and serves tasks. Layout: `[MSG_READY]`. `serveWorker` sends it before
 * it runs anything, so an idle worker that is killed counts as started, not as a failed start.
 */
export const MSG_READY = 3;

/**
 * Worker -> main: values a streaming task yielded, in order. Layout: `[MSG_YIELD, id, value, value, ...]`.
 * A stream's task settles (`MSG_RESULTS`, with the generator's return value) after its last `MSG_YIELD`.
 */
export const MSG_YIELD = 10;

/**
 * Main -> worker: the consumer of streaming task `id` took `n` more values, so the worker may produce `n` more.
 * Layout: `[MSG_PULL, id, n]`. A stream starts with `highWaterMark` credits; values yielded but not yet pulled
 * never exceed it, so a slow consumer pauses the generator in the worker.
 */
export const MSG_PULL = 11;

/**
 * Task flag (see {@link MSG_RUN}): the function returns an iterable or async iterable (a generator) whose values
 * go back as {@link MSG_YIELD} messages, paced by {@link MSG_PULL}. `MSG_CANCEL` for it closes the iterator
 * (`return()`, so the generator's `finally` runs) before the worker answers.
 */
export const TASK_STREAM = 1;

/**
 * Task flag (see {@link MSG_RUN}): transfer the `ArrayBuffer`s found in the result (and in streamed values)
 * instead of copying them. A channel that cannot transfer (a child process's IPC) copies.
 */
export const TASK_TRANSFER_RESULT = 2;

/** How long (ms) a worker's `teardown` may take when it is stopped gracefully before it is terminated. */
export const TEARDOWN_TIMEOUT_MS = 5000;

/** Above this much synchronous work (µs), a function's next tasks go only to a worker with nothing else in flight. */
export const SLOW_TASK_MICROS = 2000;

/** A message the scheduler sends to a worker. The `ref` of a task is sent only the first time a worker sees its key. */
export type MainMessage = unknown[];
/** A message a worker sends to the scheduler. */
export type WorkerMessage = unknown[];

/** Shared state slot: the id of the task the worker is running synchronously right now, 0 when none. */
export const STATE_RUNNING = 0;
/** Shared state slot: bumped by the scheduler after each message, so a busy worker can fetch it synchronously. */
export const STATE_MAIL = 1;
/** Shared state slot: 1 while the worker is blocked in `Atomics.wait` waiting for mail. */
export const STATE_SLEEPING = 2;
/**
 * Shared state slot: how many tasks the worker has taken from its inbox (run or skipped), in the order they
 * were sent. After a crash, the tasks sent after that count never started and are safe to run elsewhere.
 */
export const STATE_STARTED = 3;
/** Shared state slot: bumped (and notified) by the worker after each message it sends, for `Atomics.waitAsync`. */
export const STATE_RESULTS = 4;
/**
 * Shared state slot: set to 1 by the scheduler when it shuts down with `cancelPending`. The worker reads it right
 * before calling each task's function and answers the task as cancelled instead: a task not started by then
 * never starts.
 */
export const STATE_CANCEL_PENDING = 5;
/** Number of Int32 slots of the shared state. */
export const STATE_LENGTH = 8;

/**
 * How long (ms) an idle worker with shared state blocks in `Atomics.wait` for the next task before going
 * back to its event loop: a task sent meanwhile starts without an event-loop wake-up (lower latency).
 */
export const IDLE_WAIT_MS = 2;
