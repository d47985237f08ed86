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
  /** Tasks were just sent to a worker, and their answer is awaited (the pool's `LoopSpin` may start). */
  sent(): void;
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
    // A worker with an abandoned task not yet answered may be stuck in it and about to be terminated; without
    // shared state the pool could not tell then which of the tasks sent ahead to it had started (all would fail
    // with it as started), so it takes no more until it answers or the watchdog has decided. Nor does one that
    // has not said it is ready: whether it will share its state is not known yet (a child process on Deno does
    // not), and a task sent to it now would fail with it as started if it turns out not to.
    if (slot.abandoned > 0 && (!slot.ready || slot.transport.state === undefined)) continue;
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

  /**
   * Gives `task` to `slot`; it is sent with the others of this turn. With `now` (a new submission) and an idle
   * `slot`, it is sent at once instead: a lone task then costs no microtask hop, and a caller may block (in
   * `Atomics.wait`, say) right after submitting without starving the flush. Tasks that follow it in the same
   * turn are batched as usual.
   */
  put(slot: Slot, task: Task, now = false): void {
    const idle = now && slot.inflight.size === 0 && slot.outbox.length === 0;
    task.state = ASSIGNED;
    task.worker = slot;
    if (this.#stats !== undefined && slot.inflight.size === 0) this.#stats.busy(slot, performance.now());
    slot.inflight.set(task.id, task);
    if (slot.idleTimer !== undefined) slot.lastActive = -1;
    slot.ref();
    if (++slot.assigned >= this.#maxTasks) slot.retiring = true;
    if (slot.outbox.length === 0) this.#dirty.push(slot);
    slot.outbox.push(task);
    if (idle && this.#sendNow(slot)) {
      this.#dirty.pop();
      return;
    }
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

  /**
   * Sends `slot`'s outbox (one task) at once; false, with nothing sent and the outbox kept, if that failed: the
   * flush then sends it again and reports why it cannot be sent (this runs inside `submit`, which must not
   * settle its own task).
   */
  #sendNow(slot: Slot): boolean {
    if (slot.exited) return false;
    const tasks = slot.outbox;
    const built = this.#build(slot, tasks);
    try {
      slot.transport.send(built.message, built.transfer);
    } catch {
      this.#forget(slot, built.defs);
      return false;
    }
    slot.outbox = [];
    this.#markSent(slot, tasks);
    return true;
  }

  /** Sends `slot`'s outbox now. */
  send(slot: Slot): void {
    const tasks = slot.outbox;
    slot.outbox = [];
    if (slot.exited) return;
    const { message, defs, transfer } = this.#build(slot, tasks);
    if (message.length === 2) return;
    try {
      slot.transport.send(message, transfer);
    } catch (error) {
      this.#sendFailed(slot, tasks, defs, error);
      return;
    }
    this.#markSent(slot, tasks);
  }

  /** The `MSG_RUN` message for `tasks` (each function's source only if `slot` has not seen it). */
  #build(slot: Slot, tasks: Task[]) {
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
      message.push(task.id, task.options === 0 ? fid : task.options, args.length);
      for (let i = 0; i < args.length; i++) message.push(args[i]);
      if (task.transfer !== undefined) (transfer ??= []).push(...task.transfer);
    }
    if (defs !== undefined) message[1] = defs;
    return { message, defs, transfer };
  }

  #markSent(slot: Slot, tasks: Task[]): void {
    this.#hooks.sent();
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

  /** A message carrying `defs` was not sent: the worker has not seen those functions. */
  #forget(slot: Slot, defs: unknown[] | undefined): void {
    if (defs !== undefined) for (let i = 0; i < defs.length; i += 2) slot.known[defs[i] as number] = false;
  }

  /** Nothing was sent: fail the tasks whose arguments cannot be cloned, then send the others. */
  #sendFailed(slot: Slot, tasks: Task[], defs: unknown[] | undefined, error: unknown) {
    this.#forget(slot, defs);
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
