import { WorkerCrashedError } from '@x/to-thread';
import { describe, expect, it } from 'vitest';
import { poolPerTest, trapUnhandledRejections } from './helpers.js';

trapUnhandledRejections();
const make = poolPerTest();

describe('threads that die while starting', () => {
  it('resourceLimits too small to start: every waiting task fails in one round, the out-of-memory error as cause', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const pool = make({
        maxThreads: 4,
        resourceLimits: { maxOldGenerationSizeMb: 1, maxYoungGenerationSizeMb: 1, codeRangeSizeMb: 1 },
      });
      const t0 = performance.now();
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => pool.submit((n: number) => n, [i])),
      );
      const elapsed = performance.now() - t0;
      for (const r of results) {
        expect(r.status).toBe('rejected');
        const error = (r as PromiseRejectedResult).reason as WorkerCrashedError;
        expect(error).toBeInstanceOf(WorkerCrashedError);
        expect(error.message).toMatch(/failed to start, 3 in a row with the same error/);
        expect((error.cause as { code?: string }).code).toBe('ERR_WORKER_OUT_OF_MEMORY');
      }
      // A start failure of its own, not a kill: reported (the first two), and no back-off loop of 10 s.
      expect(warnings.filter((w) => /failed to start/.test(w.message)).length).toBeGreaterThanOrEqual(2);
      expect(elapsed).toBeLessThan(10_000);
      expect(pool.threads).toBe(0);
    } finally {
      process.off('warning', onWarning);
    }
  }, 30_000);
});
