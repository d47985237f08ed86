import type { WorkerExitReason } from './pool-events.js';
import type { Task } from './pool-task.js';
import { STATE_STARTED, type Transport } from './transport.js';

/**
 * One worker as the pool scheduler sees it: its transport, the tasks it holds, and where it is in its life
 * (starting, serving, retiring after its last task, stopping, exited).
 */
export class Slot {
  transport!: Transport;
  /** Why the pool is ending it, once it decided to (see `WorkerExitReason`); unset for a worker that died on its own. */
  exitReason: WorkerExitReason | undefined = undefined;
  /** When it started (`performance.now()`), -1 when not timed; since when it has had a task in flight, -1 while idle. */
  bornAt = -1;
  busySince = -1;
  /** Milliseconds it spent with a task in flight, up to `busySince`. */
  busyTime = 0;
  /** Tasks given to this worker and not answered yet, by id. */
  readonly inflight = new Map<number, Task>();
  /** `known[fid]`: the worker has been sent the function `fid` stands for. */
  readonly known: boolean[] = [];
  /** Tasks assigned since the last flush, sent together in one message. */
  outbox: Task[] = [];
  /** Tasks ever assigned (for recycling) and sent (for `seq`). */
  assigned = 0;
  sent = 0;
  /** Takes no new task; stopped once its in-flight tasks are answered. */
  retiring = false;
  stopping = false;
  /** The worker has sent something (`MSG_READY` first): it started. Dying before that is a failed start. */
  ready = false;
  exited = false;
  referenced = true;
  lastActive = 0;
  idleTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  watchdog: ReturnType<typeof setTimeout> | undefined = undefined;
  /** Abandoned tasks (timed out, aborted) still on the worker: their cancellation is not answered yet. */
  abandoned = 0;
  /** Watchdog rounds in a row that found a cancel unanswered while the worker ran no task synchronously. */
  silentRounds = 0;
  readonly exitPromise: Promise<void>;
  resolveExit!: () => void;
  /** @param id Its number in the pool (events). */
  constructor(readonly id: number) {
    this.exitPromise = new Promise((resolve) => {
      this.resolveExit = resolve;
    });
  }

  /** The worker is busy: it keeps the process alive. */
  ref(): void {
    if (!this.referenced) {
      this.referenced = true;
      this.transport.ref();
    }
  }

  /** The worker is idle: it must not keep the process alive. */
  unref(): void {
    if (this.referenced) {
      this.referenced = false;
      this.transport.unref();
    }
  }

  /**
   * How many of the tasks sent to this worker it has taken up (see `STATE_STARTED`): those with `seq` below
   * have started. Infinity (every sent task may have started) for a worker without shared state.
   */
  started(): number {
    const state = this.transport.state;
    return state === undefined ? Number.POSITIVE_INFINITY : Atomics.load(state, STATE_STARTED);
  }
}
