import type { WorkerExitEvent } from '@x/executor';
import { AbortError, ThreadPool, TimeoutError } from '@x/to-thread';
import { describe, expect, it } from 'vitest';
import { poolPerTest, threadIdOf, trapUnhandledRejections } from './helpers.js';

trapUnhandledRejections();
const make = poolPerTest();
const spin = (ms: number) => {
  const end = Date.now() + ms;
  while (Date.now() < end);
  return ms;
};
const sleepIn = async (ms: number) => {
  await new Promise((r) => setTimeout(r, ms));
  return ms;
};

describe('submit(fn, args, { priority })', () => {
  it('runs 10,000 queued tasks highest priority first, FIFO among equals', async () => {
    const pool = make({ maxThreads: 1, concurrentTasksPerThread: 1 });
    await pool.submit(() => 0, []); // the thread is up
    const gate = new SharedArrayBuffer(4);
    // Holds the only thread while the 10,000 are queued behind it.
    const blocker = pool.submit(
      (sab: SharedArrayBuffer) => {
        Atomics.wait(new Int32Array(sab), 0, 0, 10_000);
      },
      [gate],
    );
    const order: number[] = [];
    const priorities: number[] = [];
    const tasks: Promise<unknown>[] = [];
    let seed = 7;
    for (let i = 0; i < 10_000; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      // Mostly the default 0 (the FIFO), some above and below it, many ties.
      const r = seed % 10;
      const priority = r < 6 ? 0 : r < 8 ? (seed >> 8) % 5 : -((seed >> 8) % 5) - 1;
      priorities.push(priority);
      tasks.push(
        pool
          .submit((x: number) => x, [i], priority === 0 ? undefined : { priority })
          .then(() => order.push(i)),
      );
    }
    expect(pool.queued).toBe(10_000);
    Atomics.store(new Int32Array(gate), 0, 1);
    Atomics.notify(new Int32Array(gate), 0);
    await blocker;
    await Promise.all(tasks);
    const expected = [...priorities.keys()].sort((a, b) => priorities[b]! - priorities[a]! || a - b);
    expect(order).toEqual(expected);
  });

  it('validates priority', () => {
    const pool = make({ maxThreads: 1 });
    expect(() => pool.submit((x: number) => x, [1], { priority: 1.5 })).toThrow(
      'The value of "options.priority" is out of range',
    );
    expect(() => pool.submit((x: number) => x, [1], { priority: '1' as never })).toThrow(
      /"options.priority" property must be of type number/,
    );
  });
});

describe('submit(fn, args, { runTimeout })', () => {
  it('counts from the start on a worker, not from submission', async () => {
    const pool = make({ maxThreads: 1, concurrentTasksPerThread: 1 });
    await pool.submit(() => 0, []);
    const first = pool.submit(sleepIn, [150]);
    // Waits ~150 ms for the thread, then runs 50 ms: within a runTimeout of 120, beyond a timeout of 120.
    const second = pool.submit(sleepIn, [50], { runTimeout: 120 });
    const third = pool.submit(sleepIn, [50], { timeout: 120 }).catch((e) => e);
    expect(await first).toBe(150);
    expect(await second).toBe(50);
    expect(await third).toBeInstanceOf(TimeoutError);
  });

  it('fails a task running too long with TimeoutError and stops it (its thread terminated if stuck)', async () => {
    const pool = make({ maxThreads: 1, cancelGrace: 20 });
    const first = await pool.submit(threadIdOf, []);
    const started = performance.now();
    const error = await pool.submit(spin, [10_000], { runTimeout: 100 }).catch((e) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toMatch(/runTimeout of 100 ms after it started/);
    expect(performance.now() - started).toBeLessThan(5000);
    // The stuck thread was replaced; the pool still serves.
    expect(await pool.submit(threadIdOf, [])).not.toBe(first);
  });

  it('validates runTimeout', () => {
    const pool = make({ maxThreads: 1 });
    expect(() => pool.submit((x: number) => x, [1], { runTimeout: -1 })).toThrow(RangeError);
    expect(() => pool.submit((x: number) => x, [1], { runTimeout: 'x' as never })).toThrow(TypeError);
  });
});

describe('shutdown({ cancelRunning, grace })', () => {
  it('rejects running and queued tasks with AbortError at once, and terminates a thread stuck in sync code after grace', async () => {
    const pool = new ThreadPool({ maxThreads: 1, concurrentTasksPerThread: 1 });
    await pool.submit(() => 0, []);
    const exits: WorkerExitEvent[] = [];
    pool.on('workerExit', (e) => exits.push(e));
    const stuck = pool.submit(spin, [60_000]).catch((e) => e);
    const queued = pool.submit((x: number) => x, [1]).catch((e) => e);
    await new Promise((r) => setTimeout(r, 50)); // the spin has started
    const started = performance.now();
    const done = pool.shutdown({ cancelRunning: true, grace: 300 });
    const stuckError = await stuck;
    const rejectedAfter = performance.now() - started;
    expect(stuckError).toBeInstanceOf(AbortError);
    expect(stuckError.message).toMatch(/cancelRunning/);
    expect(await queued).toBeInstanceOf(AbortError);
    expect(rejectedAfter).toBeLessThan(250); // at once, not after the grace
    await done;
    const took = performance.now() - started;
    expect(took).toBeGreaterThanOrEqual(290); // the thread had its grace
    expect(took).toBeLessThan(10_000); // and was terminated, not waited for (the spin lasts 60 s)
    expect(exits).toEqual([expect.objectContaining({ reason: 'shutdown' })]);
    expect(pool.size).toBe(0);
  });

  it('stops a thread whose async task acknowledges the cancellation without waiting for the grace', async () => {
    const pool = new ThreadPool({ maxThreads: 1 });
    await pool.submit(() => 0, []);
    const task = pool.submit(sleepIn, [60_000]).catch((e) => e);
    await new Promise((r) => setTimeout(r, 30));
    const started = performance.now();
    await pool.shutdown({ cancelRunning: true, grace: 5000 });
    expect(performance.now() - started).toBeLessThan(2500);
    expect(await task).toBeInstanceOf(AbortError);
  });

  it('validates its options', async () => {
    const pool = make({ maxThreads: 1 });
    await expect(pool.shutdown({ grace: -1 })).rejects.toThrow(RangeError);
    await expect(pool.shutdown({ cancelRunning: 'yes' as never })).rejects.toThrow(
      /"options.cancelRunning" property must be of type boolean/,
    );
  });
});

describe('pool.recycle()', () => {
  it('under load: every task runs exactly once, and none is lost; old threads finish their tasks and exit', async () => {
    const pool = make({ maxThreads: 2, concurrentTasksPerThread: 4 });
    const N = 400;
    const runs = new SharedArrayBuffer(4 * N);
    const exits: WorkerExitEvent[] = [];
    pool.on('workerExit', (e) => exits.push(e));
    const tasks: Promise<unknown>[] = [];
    const created: number[] = [];
    pool.on('workerCreate', (e) => created.push(e.threadId!));
    let threadsBefore: number[] = [];
    let recycled: Promise<void> | undefined;
    for (let i = 0; i < N; i++) {
      tasks.push(
        pool.submit(
          async (sab: SharedArrayBuffer, i: number) => {
            Atomics.add(new Int32Array(sab), i, 1);
            await new Promise((r) => setTimeout(r, 1));
            return [i, (await import('node:worker_threads')).threadId];
          },
          [runs, i],
        ),
      );
      if (i === N / 4) {
        threadsBefore = [...created];
        recycled = pool.recycle();
      }
      if (i % 50 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    const results = (await Promise.all(tasks)) as Array<[number, number]>;
    await recycled;
    expect(results.map(([i]) => i)).toEqual([...Array(N).keys()]);
    expect([...new Int32Array(runs)].every((n) => n === 1)).toBe(true);
    // Every task submitted after recycle() ran on a fresh thread.
    const after = new Set(results.filter(([i]) => i > N / 4).map(([, t]) => t));
    expect(threadsBefore.length).toBeGreaterThan(0);
    expect([...after].filter((t) => threadsBefore.includes(t))).toEqual([]);
    expect(exits.filter((e) => e.reason === 'recycled').length).toBeGreaterThanOrEqual(1);
    expect(exits.filter((e) => e.reason === 'crashed')).toEqual([]);
  });

  it('replaces idle threads and resolves once they exited; rejects after shutdown', async () => {
    const pool = make({ minThreads: 2, maxThreads: 2 });
    const a = await pool.submit(threadIdOf, []);
    await pool.recycle();
    expect(pool.size).toBe(2); // minThreads restored with fresh threads
    expect(await pool.submit(threadIdOf, [])).not.toBe(a);
    await pool.shutdown();
    await expect(pool.recycle()).rejects.toMatchObject({ name: 'PoolClosedError' });
  });
});
