// Ported from piscina (https://github.com/piscinajs/piscina, MIT licence): test/histogram.test.ts,
// test/pool-destroy.test.ts, test/pool-close.test.ts and test/task-queue.test.ts, with piscina's test names,
// to our API: `pool.histogram` -> `pool.stats()`, `destroy()` -> `shutdown({ cancelRunning: true })`,
// `close()` -> `shutdown()`, `close({ force: true })` -> `shutdown({ cancelPending: true })`,
// `closeTimeout` -> `shutdown({ cancelRunning: true, grace })`, `queueSize` -> `queued`, `threads.length` ->
// `threads`. A fixture file name becomes a self-contained function. Differences: our rejections are
// `AbortError` / `QueueFullError` / `PoolClosedError` (piscina: messages such as "Terminating worker thread"),
// and piscina's per-worker histograms and custom task queues have no counterpart here (left out).
import { AbortError, PoolClosedError, QueueFullError, ThreadPool } from '@x/to-thread';
import { describe, expect, it } from 'vitest';
import { poolPerTest, trapUnhandledRejections } from './helpers.js';

trapUnhandledRejections();
const make = poolPerTest();
// piscina's fixtures/eval.js evaluates its argument; '42' is all these tests send, so JSON.parse does the same.
const evalTask = (code: string) => JSON.parse(code) as unknown;
const sleep = async ({ time }: { time: number }) => {
  await new Promise((r) => setTimeout(r, time));
  return time;
};
/** piscina's fixtures/wait-for-notify: blocks until the main thread notifies the buffer. */
const waitForNotify = (buffer: Int32Array) => {
  Atomics.wait(buffer, 0, 0);
  return Atomics.load(buffer, 0);
};
const spinForever = () => {
  for (;;);
};

describe('piscina test/histogram.test.ts', () => {
  it('pool will maintain run and wait time histograms by default', async () => {
    const pool = make();
    await Promise.all(Array.from({ length: 10 }, () => pool.submit(evalTask, ['42'])));
    const { waitTime, runTime } = pool.stats();
    for (const histogram of [waitTime, runTime]) {
      for (const key of ['mean', 'min', 'max', 'p50', 'p90', 'p99'] as const) {
        expect(typeof histogram[key]).toBe('number');
      }
      expect(histogram.max).toBeGreaterThan(0);
      expect(histogram.min).toBeLessThanOrEqual(histogram.mean);
      expect(histogram.mean).toBeLessThanOrEqual(histogram.max);
    }
  });

  it('pool does not maintain run and wait time histograms when recordTiming is false', async () => {
    const pool = make({ recordTiming: false });
    await Promise.all(Array.from({ length: 10 }, () => pool.submit(evalTask, ['42'])));
    const { waitTime, runTime, completed } = pool.stats();
    expect(completed).toBe(10);
    expect(waitTime.max).toBe(0);
    expect(runTime.max).toBe(0);
  });
});

describe('piscina test/pool-destroy.test.ts', () => {
  it('can destroy pool while tasks are running', async () => {
    const pool = new ThreadPool();
    const task = pool.submit(spinForever, []);
    setImmediate(() => void pool.shutdown({ cancelRunning: true }));
    await expect(task).rejects.toBeInstanceOf(AbortError);
    await pool.shutdown();
    expect(pool.threads).toBe(0);
  });
});

describe('piscina test/pool-close.test.ts', () => {
  it('close(): no pending tasks', async () => {
    await expect(new ThreadPool().shutdown()).resolves.toBeUndefined();
  });

  it('close(): no pending tasks (with minThreads=0)', async () => {
    await expect(new ThreadPool({ minThreads: 0 }).shutdown()).resolves.toBeUndefined();
  });

  it('queued tasks waits for all tasks to complete', async () => {
    const pool = new ThreadPool({ maxThreads: 1, concurrentTasksPerThread: 1 });
    const task1 = pool.submit(sleep, [{ time: 100 }]);
    const task2 = pool.submit(sleep, [{ time: 100 }]);
    const closed = new Promise<void>((resolve) => setImmediate(() => resolve(pool.shutdown())));
    await expect(Promise.all([task1, task2, closed])).resolves.toEqual([100, 100, undefined]);
  });

  it('abort any task enqueued during closing up', async () => {
    const pool = new ThreadPool({ maxThreads: 1 });
    const running = pool.submit(sleep, [{ time: 100 }]);
    const closed = pool.shutdown();
    await expect(pool.submit(sleep, [{ time: 1000 }])).rejects.toBeInstanceOf(PoolClosedError);
    expect(await running).toBe(100);
    await closed;
  });

  it('force: queued tasks waits for all tasks already running and aborts tasks that are not started yet', async () => {
    const pool = new ThreadPool({ maxThreads: 1, concurrentTasksPerThread: 2 });
    await pool.submit(sleep, [{ time: 1 }]); // the thread is up
    const task1 = pool.submit(sleep, [{ time: 50 }]);
    const task2 = pool.submit(sleep, [{ time: 50 }]);
    const task3 = pool.submit(sleep, [{ time: 100 }]).catch((e) => e);
    const task4 = pool.submit(sleep, [{ time: 100 }]).catch((e) => e);
    await new Promise((r) => setTimeout(r, 20)); // task1 and task2 have started
    const closed = pool.shutdown({ cancelPending: true });
    expect(await task1).toBe(50);
    expect(await task2).toBe(50);
    expect(await task3).toBeInstanceOf(AbortError);
    expect(await task4).toBeInstanceOf(AbortError);
    await closed;
  });

  it('timed out close operation destroys the pool', async () => {
    const pool = new ThreadPool({ maxThreads: 1, concurrentTasksPerThread: 1 });
    const task1 = pool.submit(spinForever, []).catch((e) => e);
    const task2 = pool.submit(sleep, [{ time: 50 }]).catch((e) => e);
    await new Promise((r) => setTimeout(r, 100));
    const started = performance.now();
    await pool.shutdown({ cancelRunning: true, grace: 5 });
    expect(performance.now() - started).toBeLessThan(5000);
    expect(await task1).toBeInstanceOf(AbortError);
    expect(await task2).toBeInstanceOf(AbortError);
    expect(pool.threads).toBe(0);
  });
});

describe('piscina test/task-queue.test.ts', () => {
  it('will put items into a task queue until they can run', async () => {
    const pool = make({ minThreads: 2, maxThreads: 3, concurrentTasksPerThread: 1 });
    expect(pool.threads).toBe(2);
    expect(pool.queued).toBe(0);
    const buffers = Array.from({ length: 4 }, () => new Int32Array(new SharedArrayBuffer(4)));
    const results: Promise<number>[] = [];
    results.push(pool.submit(waitForNotify, [buffers[0]!]));
    expect([pool.threads, pool.queued]).toEqual([2, 0]);
    results.push(pool.submit(waitForNotify, [buffers[1]!]));
    expect([pool.threads, pool.queued]).toEqual([2, 0]);
    results.push(pool.submit(waitForNotify, [buffers[2]!]));
    expect([pool.threads, pool.queued]).toEqual([3, 0]);
    results.push(pool.submit(waitForNotify, [buffers[3]!]));
    expect([pool.threads, pool.queued]).toEqual([3, 1]);
    for (const buffer of buffers) {
      Atomics.store(buffer, 0, 1);
      Atomics.notify(buffer, 0, 1);
    }
    await results[0];
    await Promise.all(results);
    expect(pool.queued).toBe(0);
  });

  it('will reject items over task queue limit', async () => {
    const pool = new ThreadPool({ minThreads: 0, maxThreads: 1, maxQueue: 2, concurrentTasksPerThread: 1 });
    const tasks = [pool.submit(spinForever, []).catch((e) => e)];
    expect([pool.threads, pool.queued]).toEqual([1, 0]);
    tasks.push(pool.submit(spinForever, []).catch((e) => e));
    expect([pool.threads, pool.queued]).toEqual([1, 1]);
    tasks.push(pool.submit(spinForever, []).catch((e) => e));
    expect([pool.threads, pool.queued]).toEqual([1, 2]);
    await expect(pool.submit(spinForever, [])).rejects.toBeInstanceOf(QueueFullError);
    await pool.shutdown({ cancelRunning: true });
    for (const error of await Promise.all(tasks)) expect(error).toBeInstanceOf(AbortError);
  });

  it('will reject items when task queue is unavailable', async () => {
    const pool = new ThreadPool({ minThreads: 0, maxThreads: 1, maxQueue: 0, concurrentTasksPerThread: 1 });
    const running = pool.submit(spinForever, []).catch((e) => e);
    expect([pool.threads, pool.queued]).toEqual([1, 0]);
    await expect(pool.submit(spinForever, [])).rejects.toBeInstanceOf(QueueFullError);
    await pool.shutdown({ cancelRunning: true });
    expect(await running).toBeInstanceOf(AbortError);
  });
});
