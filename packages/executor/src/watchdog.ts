import { DONE } from './pool-task.js';
import { STATE_RUNNING } from './transport.js';
import type { Slot } from './worker-slot.js';

/** Watchdog rounds (of the grace period) a silent worker gets before it is deemed stuck in async code. */
const STUCK_ROUNDS = 10;

/**
 * Terminates `slot` (through `stop`) if a task abandoned there (timed out, aborted) is still running after
 * `grace` ms, checking again every `grace` ms while one is. Only one watchdog per worker; its timer never keeps
 * the process alive.
 */
export function armWatchdog(slot: Slot, grace: number, stop: (slot: Slot) => void): void {
  if (slot.watchdog !== undefined || slot.exited) return;
  slot.watchdog = setTimeout(() => {
    slot.watchdog = undefined;
    if (slot.exited) return;
    let waiting = false;
    let live = 0;
    const state = slot.transport.state;
    // With shared state we know which task is executing synchronously right now; without, assume the abandoned one.
    const running = state === undefined ? undefined : Atomics.load(state, STATE_RUNNING);
    const started = slot.started();
    for (const task of slot.inflight.values()) {
      if (!task.abandoned) {
        // A live task the worker has started could be what keeps it busy; one it has not started cannot.
        if (task.state !== DONE && task.seq < started) live++;
        continue;
      }
      if (running === undefined || running === task.id) {
        stop(slot);
        return;
      }
      waiting = true;
    }
    // Running no task synchronously, every started task abandoned, yet silent for STUCK_ROUNDS graces in a row:
    // the worker is stuck in an async continuation of one of them (e.g. a loop after an await); its unstarted
    // tasks go back to the queue when it is stopped. With a started live task the culprit could be that one, so
    // the worker is left alone.
    if (waiting && live === 0 && running === 0 && ++slot.silentRounds >= STUCK_ROUNDS) {
      stop(slot);
      return;
    }
    if (waiting) armWatchdog(slot, grace, stop);
  }, grace);
  slot.watchdog.unref?.();
}
