import { fromModule, TimeoutError, WorkerCrashedError } from '@x/to-thread';
import { describe, expect, it, vi } from 'vitest';
import { poolPerTest, threadIdOf, trapUnhandledRejections } from './helpers.js';

trapUnhandledRejections();
const make = poolPerTest();
const spin = () => {
  for (;;);
};

describe('faults in a thread', () => {
  it('survives a task that replaces globalThis.process: the thread runtime bound what it uses at load', async () => {
    const pool = make({ maxThreads: 1 });
    const before = await pool.submit(threadIdOf, []);
    const replaced = await pool.submit(() => {
      (globalThis as { process: unknown }).process = { pid: -1 };
      return 'replaced';
    }, []);
    expect(replaced).toBe('replaced');
    // A new function (compiled after the replacement), on the same thread.
    expect(await pool.submit(async (x: number) => x * 2, [21])).toBe(42);
    expect(await pool.submit(threadIdOf, [])).toBe(before);
  });

  it('a thread that calls process.exit fails only its task with WorkerCrashedError (no hang), and is replaced', async () => {
    const pool = make({ maxThreads: 1, concurrentTasksPerThread: 4 });
    const before = await pool.submit(threadIdOf, []);
    const sleepy = pool.submit(async () => {
      await new Promise((r) => setTimeout(r, 200));
      return 'never';
    }, []);
    const exiting = pool.submit(() => process.exit(3), []);
    const queuedBehind = pool.submit((x: number) => x * 2, [21]);
    const error = await exiting.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect(error).toMatchObject({ code: 'ERR_X_WORKER_CRASHED', exitCode: 3, signal: null });
    expect((error as Error).message).toMatch(/exited with code 3/);
    // The async task that had started on the same thread died with it; the one not started was re-run.
    await expect(sleepy).rejects.toBeInstanceOf(WorkerCrashedError);
    expect(await queuedBehind).toBe(42);
    expect(await pool.submit(threadIdOf, [])).not.toBe(before);
  });

  it('a module that throws while loading fails the task with its error; the thread stays', async () => {
    const pool = make({ maxThreads: 1 });
    const before = await pool.submit(threadIdOf, []);
    const broken = fromModule(new URL('./fixtures/throws-at-load.mjs', import.meta.url));
    const error = await pool.submit(broken, []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RangeError);
    expect((error as Error).message).toBe('this module fails while loading');
    expect(await pool.submit(threadIdOf, [])).toBe(before);
  });

  it('an error thrown asynchronously after the task returned is reported, and the thread replaced', async () => {
    const pool = make({ maxThreads: 1 });
    // Captured rather than printed: this warning is what the test expects, not noise in a green run.
    const warnings: Error[] = [];
    const emitWarning = vi.spyOn(process, 'emitWarning').mockImplementation((w: string | Error) => {
      warnings.push(typeof w === 'string' ? new Error(w) : w);
    });
    try {
      const before = await pool.submit(threadIdOf, []);
      const value = await pool.submit(() => {
        setTimeout(() => {
          throw new Error('late failure');
        }, 5);
        return 'returned';
      }, []);
      expect(value).toBe('returned');
      for (let i = 0; i < 100 && warnings.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(warnings[0]?.message).toMatch(/crashed after its tasks had settled.*late failure/s);
      expect(await pool.submit(threadIdOf, [])).not.toBe(before);
    } finally {
      emitWarning.mockRestore();
    }
  });

  it('a thread that exceeds resourceLimits fails its task with WorkerCrashedError and the pool keeps serving', async () => {
    const pool = make({
      maxThreads: 1,
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
    });
    const error = await pool
      .submit(() => {
        const hog: number[][] = [];
        for (;;) hog.push(new Array(100_000).fill(1));
      }, [])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect(((error as Error).cause as { code?: string } | undefined)?.code).toBe('ERR_WORKER_OUT_OF_MEMORY');
    expect(await pool.submit((a: number) => a + 1, [1])).toBe(2);
  });

  it('an infinite loop is stopped by abort: the thread is terminated and replaced', async () => {
    const pool = make({ maxThreads: 1 });
    const before = await pool.submit(threadIdOf, []);
    const controller = new AbortController();
    const looping = pool.submit(spin, [], { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('enough')), 50);
    await expect(looping).rejects.toThrow('enough');
    const after = await pool.submit(threadIdOf, []);
    expect(after).not.toBe(before);
    expect(pool.threads).toBe(1);
  });

  it('an infinite loop is stopped by timeout with TimeoutError', async () => {
    const pool = make({ maxThreads: 1 });
    const before = await pool.submit(threadIdOf, []);
    const error = await pool.submit(spin, [], { timeout: 50 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ code: 'ERR_X_TIMEOUT', timeout: 50 });
    expect(await pool.submit((s: string) => s.toUpperCase(), ['ok'])).toBe('OK');
    expect(await pool.submit(threadIdOf, [])).not.toBe(before);
    expect(pool.threads).toBe(1);
  });

  it('a task stuck in a loop after an await is stopped by timeout: its thread is terminated and replaced', async () => {
    const pool = make({ maxThreads: 1 });
    const before = await pool.submit(threadIdOf, []);
    const error = await pool
      .submit(
        async () => {
          await new Promise((r) => setTimeout(r, 10));
          for (;;);
        },
        [],
        { timeout: 50 },
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    // The thread never reads its mail again; the pool must notice and replace it, or this never settles.
    expect(await pool.submit(threadIdOf, [])).not.toBe(before);
    expect(pool.threads).toBe(1);
  });

  it('an aborted async task does not cost its thread', async () => {
    const pool = make({ maxThreads: 1 });
    const before = await pool.submit(threadIdOf, []);
    const controller = new AbortController();
    const waiting = pool.submit(() => new Promise(() => {}), [], { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('bye')), 30);
    await expect(waiting).rejects.toThrow('bye');
    await new Promise((r) => setTimeout(r, 100));
    expect(await pool.submit(threadIdOf, [])).toBe(before);
  });
});

describe('stress', () => {
  it('10,000 tasks with random failures and aborts on 2 threads: each settles exactly once, pool healthy after', async () => {
    const pool = make({ maxThreads: 2 });
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const N = 10_000;
    const settled = new Int32Array(N);
    const outcomes: Array<Promise<void>> = [];
    const reasons = new Set<unknown>();
    for (let i = 0; i < N; i++) {
      const fail = random() < 0.1;
      const abortAfter = random() < 0.1 ? Math.floor(random() * 20) : -1;
      const controller = new AbortController();
      const reason = new Error(`abort ${i}`);
      if (abortAfter === 0) controller.abort(reason);
      else if (abortAfter > 0) setTimeout(() => controller.abort(reason), abortAfter);
      const task = (() => {
        try {
          return pool.submit(
            (n: number, f: boolean) => {
              if (f) throw new RangeError(`fail ${n}`);
              return n * 2;
            },
            [i, fail],
            { signal: controller.signal },
          );
        } catch (e) {
          return Promise.reject(e);
        }
      })();
      outcomes.push(
        task.then(
          (value) => {
            settled[i]!++;
            expect(value).toBe(i * 2);
            expect(fail).toBe(false);
          },
          (error: Error) => {
            settled[i]!++;
            if (error === reason) reasons.add(error);
            else {
              expect(error).toBeInstanceOf(RangeError);
              expect(error.message).toBe(`fail ${i}`);
            }
          },
        ),
      );
    }
    await Promise.all(outcomes);
    await new Promise((r) => setTimeout(r, 50));
    expect([...settled].every((n) => n === 1)).toBe(true);
    expect(reasons.size).toBeGreaterThan(0);
    expect(pool.pending).toBe(0);
    expect(pool.threads).toBeLessThanOrEqual(2);
    expect(await Promise.all([1, 2, 3].map((x) => pool.submit((n: number) => n + 1, [x])))).toEqual([
      2, 3, 4,
    ]);
  });
});
