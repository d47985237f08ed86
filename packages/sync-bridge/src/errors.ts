import { brandErrorClass } from '@x/internal';

/**
 * Every error class of @x/sync-bridge. The errors shared with the other worker packages (a crashed
 * worker, a timeout, a value that cannot be cloned) come from @x/executor and are re-exported here, so
 * `instanceof` works whichever package you import them from.
 */
export { DataCloneError, RuntimeSupportError, TimeoutError, WorkerCrashedError } from '@x/executor';
export { UnsettledCallError } from './unsettled-error.js';

/**
 * `runSync` (or `runSyncStream`) was called from code that is itself running in a sync-bridge worker.
 * Blocking that worker would stop the event loop the outer call depends on, so it is refused at once
 * instead of deadlocking: `await` the async function directly there.
 *
 * @example
 * ```ts
 * runSync(async () => {
 *   const { runSync } = await import('@x/sync-bridge');
 *   return runSync(async () => 1); // throws ReentrantCallError
 * });
 * ```
 * Like the `RuntimeError` Python's `asyncio.run` raises when an event loop is already running in the thread.
 */
export class ReentrantCallError extends Error {
  static {
    brandErrorClass(this, 'ERR_X_REENTRANT_CALL');
  }

  override name = 'ReentrantCallError' as const;
  readonly code = 'ERR_X_REENTRANT_CALL' as const;
  constructor(message?: string, options?: { cause?: unknown }) {
    super(
      message ??
        'runSync() was called from a function that is already running in a sync-bridge worker. Blocking this worker would deadlock the call waiting for it; await the async function directly instead.',
      options,
    );
  }
}

/**
 * The bridge was closed (`bridge.close()` or `using`): it accepts no new calls, and a stream still open
 * on it ends with this error.
 *
 * @example
 * ```ts
 * const bridge = new SyncBridge();
 * bridge.close();
 * bridge.run(async () => 1); // throws BridgeClosedError
 * ```
 * Like the `RuntimeError` Python's executors raise after `shutdown()`.
 */
export class BridgeClosedError extends Error {
  static {
    brandErrorClass(this, 'ERR_X_BRIDGE_CLOSED');
  }

  override name = 'BridgeClosedError' as const;
  readonly code = 'ERR_X_BRIDGE_CLOSED' as const;
  constructor(
    message = 'The SyncBridge has been closed; it accepts no new calls. Create a new SyncBridge.',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
