// The messages a thread exchanges with its transport over `parentPort`, beside the executor protocol (which
// travels on its own MessageChannel): the initializer's failure and the graceful stop.
import type { RemoteRef } from '@x/executor';

/** What a thread is started with (`workerData`). */
export interface ThreadData {
  port: import('node:worker_threads').MessagePort;
  state: SharedArrayBuffer;
  /** Run once before the worker loop starts; 0 for none. */
  initializer: RemoteRef | 0;
  initArgs: unknown[];
  /** Run once when the thread is stopped gracefully; 0 for none. */
  teardown: RemoteRef | 0;
  /** Where the thread writes its V8 heap used (KiB, `Int32Array` slot 0) before each results message; 0 when not measured. */
  memory: SharedArrayBuffer | 0;
}

/** Thread -> parent: `[INIT_FAILED, SerializedError]`; the thread then exits with {@link INIT_FAILED_EXIT_CODE}. */
export const INIT_FAILED = 'x-to-thread:init-failed';
/** Exit code of a thread whose initializer failed. */
export const INIT_FAILED_EXIT_CODE = 70;
/** Parent -> thread: run the teardown, then exit. */
export const STOP = 'x-to-thread:stop';
