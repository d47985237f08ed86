import type { TransferListItem } from 'node:worker_threads';
import { cloneError } from './clone.js';
import { nowMicros, type StatsRecorder } from './pool-stats.js';
import { ASSIGNED, SENT, type Task } from './pool-task.js';
import { MSG_RUN, type WorkerMessage } from './transport.js';
import type { Slot } from './worker-slot.js';

/** What the dispatcher needs from the pool: settling a task it could not send, and refilling a worker. */
export interface DispatchHooks {
  settle(task: Task, ok: boolean, value: unknown): void;
  /** `slot` lost tasks (they failed to send): refill it from the queue, or idle or retire it. */
  afterChange(slot: Slot): void;
  /** `task`, which has a `runTimeout`, was just sent to its worker: its run clock starts. */
  runStarted(task: Task): void;
}

/**
 * The least loaded worker that takes tasks (the first idle one if any), or undefined when none does.
 * Ties keep the earlier worker, so a few busy workers stay warm and the others can reach their idle timeout.
 */
export function pickWorker(workers: readonly Slot[]): Slot | undefined {
  let best: Slot | undefined;
  let bestLoad = Number.POSITIVE_INFINITY;
  for (const slot of workers) {
    if (slot.retiring || slot.stopping) continue;
    const load = slot.inflight.size;
    if (load < bestLoad) {
      best = slot;
      bestLoad = load;
      if (load === 0) break;
    }
  }
  return best;
}

/**
 * Gets assigned tasks to their workers: each worker's tasks of one turn of the event loop travel in one
 * `MSG_RUN` message (flushed in a microtask), each function's source only the first time a worker sees it.
 * Also keeps the account of slow functions (see `SLOW_TASK_MICROS`), which never share a worker.
 */
export class Dispatcher {
  readonly #perWorker: number;
  readonly #maxTasks: number;
  readonly #hooks: DispatchHooks;
  /** Set when the pool records timings. */
  readonly #stats: StatsRecorder | undefined;
  readonly #dirty: Slot[] = [];
  #flushQueued = false;
  /** Functions seen holding a worker for long: never queued behind other tasks on one worker. */
  readonly #slow = new Set<number>();

  constructor(perWorker: number, maxTasks: number, hooks: DispatchHooks, stats: StatsRecorder | undefined) {
    this.#stats = stats;
    this.#perWorker = perWorker;
    this.#maxTasks = maxTasks;
    this.#hooks = hooks;
  }

  /**
   * Most tasks in flight on one worker when `task` joins them: 1 (a worker of its own) for a slow function
   * and for a task with a `runTimeout`, whose clock must start when it starts.
   */
  limit(task: Task): number {
    return task.runTimeout >= 0 || this.#slow.has(task.fid) ? 1 : this.#perWorker;
  }

  /** Notes which functions of a `MSG_RESULTS` message ran slow: a function is slow while its runs say so. */
  observe(slot: Slot, message: WorkerMessage): void {
    const slow = message[1] as 0 | number[];
    // One fast run clears it.
    if (this.#slow.size > 0) {
      for (let i = 2; i < message.length; i += 2) {
        const task = slot.inflight.get(Math.abs(message[i] as number));
        if (task !== undefined) this.#slow.delete(task.fid);
      }
    }
    if (slow !== 0) for (let i = 0; i < slow.length; i += 2) this.#slow.add(slow[i]!);
  }

  /** Gives `task` to `slot`; it is sent with the others of this turn. */
  put(slot: Slot, task: Task): void {
    task.state = ASSIGNED;
    task.worker = slot;
    if (this.#stats !== undefined && slot.inflight.size === 0) this.#stats.busy(slot, performance.now());
    slot.inflight.set(task.id, task);
    if (slot.idleTimer !== undefined) slot.lastActive = -1;
    slot.ref();
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
    for (const slot of this.#dirty) this.send(slot);
    this.#dirty.length = 0;
  };

  /** Sends `slot`'s outbox now. */
  send(slot: Slot): void {
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
    const stats = this.#stats;
    const now = stats === undefined ? 0 : nowMicros();
    for (const task of tasks) {
      if (task.state !== ASSIGNED) continue;
      task.state = SENT;
      task.seq = slot.sent++;
      if (stats !== undefined) {
        stats.waited(task.submitted, now);
        task.sentAt = now;
      }
      if (task.runTimeout >= 0) this.#hooks.runStarted(task);
    }
  }

  /** Nothing was sent: fail the tasks whose arguments cannot be cloned, then send the others. */
  #sendFailed(slot: Slot, tasks: Task[], defs: unknown[] | undefined, error: unknown) {
    if (defs !== undefined) for (let i = 0; i < defs.length; i += 2) slot.known[defs[i] as number] = false;
    const { settle } = this.#hooks;
    let failed = 0;
    for (const task of tasks) {
      if (task.state !== ASSIGNED) continue;
      let problem: unknown;
      for (let i = 0; i < task.args.length && problem === undefined; i++) {
        problem = cloneError(task.args[i], `argument ${i + 1}`);
      }
      if (problem !== undefined) {
        slot.inflight.delete(task.id);
        settle(task, false, problem);
        failed++;
      }
    }
    if (failed === 0) {
      // Not an argument's fault (e.g. a bad transfer list): fail the batch with the error itself.
      for (const task of tasks) {
        if (task.state !== ASSIGNED) continue;
        slot.inflight.delete(task.id);
        settle(task, false, error);
      }
    } else {
      slot.outbox = tasks.filter((t) => t.state === ASSIGNED);
      if (slot.outbox.length > 0) this.send(slot);
    }
    this.#hooks.afterChange(slot);
  }
}
