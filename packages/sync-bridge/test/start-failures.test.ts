import { SyncBridge, WorkerCrashedError } from '@x/sync-bridge';
import { describe, expect, it } from 'vitest';
import { sleepSync, thrown, trapUnhandledRejections } from './helpers.js';

trapUnhandledRejections();

describe('a bridge worker that cannot start', () => {
  it('after the same start failure 3 times in a row, calls fail at once (no new worker) with it as cause, until the back-off is over', () => {
    using bridge = new SyncBridge({ execArgv: ['--import=/nonexistent/preload.mjs'] });
    const attempts: { error: WorkerCrashedError; ms: number }[] = [];
    for (let i = 0; i < 4; i++) {
      const t0 = performance.now();
      const error = thrown(() => bridge.run(async () => 1)) as WorkerCrashedError;
      attempts.push({ error, ms: performance.now() - t0 });
    }
    for (const { error } of attempts.slice(0, 3)) {
      expect(error).toBeInstanceOf(WorkerCrashedError);
      expect(error.message).toContain('failed to start');
    }
    // The fourth call started no worker: it failed at once, naming the start error.
    const fast = attempts[3]!;
    expect(fast.error).toBeInstanceOf(WorkerCrashedError);
    expect(fast.error.message).toMatch(/failed to start 3 times in a row with the same error/);
    expect(fast.error.cause).toBe(attempts[2]!.error);
    expect(fast.ms).toBeLessThan(attempts[2]!.ms);
    expect(fast.ms).toBeLessThan(100);
    // Once the back-off (400 ms after three failures) is over, a call tries a new worker again.
    sleepSync(500);
    const again = thrown(() => bridge.run(async () => 1)) as WorkerCrashedError;
    expect(again.message).not.toMatch(/times in a row/);
    expect(again.message).toContain('failed to start');
  }, 60_000);

  it('a worker that starts clears the account: a bridge that works is never held back', () => {
    using bridge = new SyncBridge();
    for (let i = 0; i < 5; i++) {
      expect(bridge.run(async (n: number) => n + 1, i)).toBe(i + 1);
      // A crash after start-up is no start failure: the next call gets a fresh worker at once.
      const error = thrown(() => bridge.run(() => process.exit(3)));
      expect(error).toMatchObject({ exitCode: 3 });
    }
  }, 60_000);
});
