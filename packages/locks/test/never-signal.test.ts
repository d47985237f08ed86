import { limit } from '@x/locks';
import { describe, expect, it } from 'vitest';
import { abortListenerCount, delay, flush } from '../../../scripts/test-support/waiters.js';

// In a file of its own: Node warns once per signal, so an earlier test adding many listeners to the shared signal
// would hide the warning from this one.
describe('the shared signal of calls made without one', () => {
  it('hands calls without a signal one shared never-aborting signal that many may listen to without a warning', async () => {
    // The shared signal is made to take any number of listeners (@x/internal's allowManyListeners); Node warns
    // past 10 listeners on an AbortSignal otherwise.
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const lim = limit(30);
      const signals = new Set<AbortSignal>();
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const calls = Array.from({ length: 30 }, () =>
        lim(async (signal) => {
          signals.add(signal);
          signal.addEventListener('abort', () => {});
          await gate;
        }),
      );
      await flush();
      expect(signals.size).toBe(1);
      const [shared] = signals;
      expect(shared!.aborted).toBe(false);
      expect(abortListenerCount(shared!)).toBeGreaterThanOrEqual(30);
      release();
      await Promise.all(calls);
      await delay(10); // warnings are emitted on a later tick
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });
});
