import type { WorkerExitReason } from './pool-events.js';
import type { ExitInfo, TransportFactory, WorkerMessage } from './transport.js';
import { Slot } from './worker-slot.js';

/** What a worker tells the pool. */
export interface WorkerEvents {
  onMessage(slot: Slot, message: WorkerMessage): void;
  onExit(slot: Slot, info: ExitInfo): void;
  /** A worker was started (its transport exists). */
  onCreate(slot: Slot): void;
}

/**
 * The live workers of a pool and their life: start, idle (unref'd, ended after `idleTimeout` above
 * `minWorkers`), stop on purpose, and the bookkeeping of an exit. What an exit means for the tasks a worker
 * held is the pool's business ({@link WorkerEvents.onExit}).
 */
export class Workers {
  /** Workers alive and not stopping, in start order. */
  readonly list: Slot[] = [];
  readonly #factory: TransportFactory;
  readonly #min: number;
  readonly #idleTimeout: number;
  readonly #events: WorkerEvents;
  #nextId = 1;

  constructor(factory: TransportFactory, min: number, idleTimeout: number, events: WorkerEvents) {
    this.#factory = factory;
    this.#min = min;
    this.#idleTimeout = idleTimeout;
    this.#events = events;
  }

  /** Starts a worker. */
  spawn(): Slot {
    const slot = new Slot(this.#nextId++);
    const events = this.#events;
    slot.transport = this.#factory({
      onMessage: (message) => events.onMessage(slot, message),
      onExit: (info) => events.onExit(slot, info),
    });
    // Listed only once its transport exists: a factory that throws (a runtime without the feature, a permission
    // Deno denied) must leave no half-made worker for shutdown() to stop.
    this.list.push(slot);
    events.onCreate(slot);
    return slot;
  }

  /** `slot` has nothing in flight: let the process exit, and end it after `idleTimeout` above `minWorkers`. */
  idle(slot: Slot): void {
    // A worker being stopped stays referenced until it exits (see stop), even if an answer it sent before
    // terminate() took effect (a cancellation's, a result) empties it now: its exit is awaited.
    if (slot.stopping || slot.exited) return;
    slot.unref();
    if (this.list.length <= this.#min || this.#idleTimeout === Number.POSITIVE_INFINITY) return;
    slot.lastActive = performance.now();
    if (slot.idleTimer !== undefined) return;
    const check = () => {
      slot.idleTimer = undefined;
      if (slot.exited || slot.stopping || slot.inflight.size > 0 || this.list.length <= this.#min) return;
      const left =
        slot.lastActive < 0 ? this.#idleTimeout : slot.lastActive + this.#idleTimeout - performance.now();
      if (left > 1) {
        slot.idleTimer = setTimeout(check, left);
        slot.idleTimer.unref?.();
      } else {
        this.stop(slot, 'idle');
      }
    };
    slot.idleTimer = setTimeout(check, this.#idleTimeout);
    slot.idleTimer.unref?.();
  }

  /**
   * Ends a worker on purpose; returns false if it was already ending. Its exit arrives through `onExit`. An
   * idle, recycled or shut-down worker is stopped gracefully (its teardown runs) unless `force`; a stuck or
   * broken one is terminated.
   */
  stop(slot: Slot, reason: WorkerExitReason, force = false): boolean {
    if (slot.stopping || slot.exited) return false;
    slot.stopping = true;
    slot.exitReason ??= reason;
    if (slot.idleTimer !== undefined) clearTimeout(slot.idleTimer);
    this.#remove(slot);
    // Its exit is awaited (shutdown, the exit handler): an idle, unref'd worker must keep the loop alive until then,
    // or the process could exit with that await unsettled.
    slot.ref();
    const { transport } = slot;
    // Only an idle worker is asked: one still holding a task (an abandoned one, stuck maybe) could never answer.
    const graceful = !force && slot.inflight.size === 0 && reason !== 'stuck' && reason !== 'crashed';
    if (graceful && transport.stop !== undefined) transport.stop();
    else transport.terminate();
    return true;
  }

  /** Bookkeeping of `slot`'s exit; returns false for an exit already handled. */
  exited(slot: Slot): boolean {
    if (slot.exited) return false;
    slot.exited = true;
    if (slot.idleTimer !== undefined) clearTimeout(slot.idleTimer);
    if (slot.watchdog !== undefined) clearTimeout(slot.watchdog);
    this.#remove(slot);
    return true;
  }

  #remove(slot: Slot) {
    const index = this.list.indexOf(slot);
    if (index >= 0) this.list.splice(index, 1);
  }
}
