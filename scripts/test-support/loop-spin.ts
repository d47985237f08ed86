// Test helper shared by @x/executor, @x/to-thread and @x/process-pool (issue 19's loop spin).
import { vi } from 'vitest';

/**
 * Spies on `setImmediate` and returns a counter of the turns a `LoopSpin` has scheduled so far (its turn
 * function is the private field `#turn`). Restore with `vi.restoreAllMocks()`.
 */
export function loopSpinTurns(): () => number {
  const spy = vi.spyOn(globalThis, 'setImmediate');
  return () => spy.mock.calls.filter(([fn]) => (fn as { name?: string }).name === '#turn').length;
}
