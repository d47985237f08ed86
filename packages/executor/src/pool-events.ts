import type { EventEmitter } from 'node:events';

/** Why a worker ended: see {@link WorkerExitEvent}. */
export type WorkerExitReason = 'idle' | 'recycled' | 'crashed' | 'stuck' | 'shutdown';

/** Payload of a pool's `workerCreate` event. */
export interface WorkerCreateEvent {
  /** The worker's number in this pool (1, 2, ...), the same in its `workerExit`. */
  id: number;
  /** The child's process id (process pools). */
  pid?: number;
  /** The thread's id (thread pools). */
  threadId?: number;
}

/** Payload of a pool's `workerExit` event. */
export interface WorkerExitEvent {
  /** The worker's number in this pool, as in its `workerCreate`. */
  id: number;
  /** The child's process id (process pools). */
  pid?: number;
  /** Exit code, or null when killed by a signal. */
  code: number | null;
  /** The signal that killed it (child processes), or null. */
  signal: string | null;
  /**
   * Why it ended: `idle` (above `minWorkers` for `idleTimeout`), `recycled` (`maxTasksPerWorker`, `maxMemory`,
   * `recycle()`), `crashed` (it died on its own: an uncaught error, `process.exit`, out of memory, killed from
   * outside, a failed start), `stuck` (terminated because a cancelled or timed-out task kept running), or
   * `shutdown`.
   */
  reason: WorkerExitReason;
  /** The error that ended it, when known (crashed workers). */
  error?: Error;
}

/** The events of a pool and their arguments. */
export interface PoolEventMap {
  workerCreate: [event: WorkerCreateEvent];
  workerExit: [event: WorkerExitEvent];
  /** The queue of waiting tasks became empty: a producer that paused on `queued` can submit again. */
  drain: [];
}

/**
 * Calls every listener of `name` on `emitter`, each in its own `try`: a listener that throws neither
 * skips the listeners after it nor reaches the pool's code that emitted the event (its state stays whole).
 * The error is reported as a process warning (`ERR_X_LISTENER_FAILED`, the listener's stack in `detail`)
 * instead of an uncaught exception.
 */
export function emitSafely<K extends keyof PoolEventMap>(
  emitter: EventEmitter,
  name: K,
  ...args: PoolEventMap[K]
): void {
  // rawListeners: a copy, so listeners that (un)subscribe meanwhile do not disturb this emission; `once`
  // wrappers remove themselves when called.
  for (const listener of emitter.rawListeners(name)) {
    try {
      Reflect.apply(listener, emitter, args);
    } catch (error) {
      process.emitWarning(
        `A "${name}" listener of the pool threw; the pool carried on: ${error instanceof Error ? error.message : String(error)}`,
        {
          type: 'PoolListenerWarning',
          code: 'ERR_X_LISTENER_FAILED',
          detail: error instanceof Error ? error.stack : undefined,
        },
      );
    }
  }
}
