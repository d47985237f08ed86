// Ported from piscina (https://github.com/piscinajs/piscina, MIT licence): test/atomics-optimization.test.ts, with
// piscina's test names, to our API, and run with our `spin` (issue 19) on and off, and as on one CPU (where neither
// the pool's spin nor a thread's idle poll runs). piscina's `atomics: 'sync'` is
// its shared-memory wake path for idle threads (ours is always on); `atomics: 'async'` lets the worker's event loop
// run between tasks (ours always does). The fixture files become self-contained functions: `notify-then-sleep-or`
// (set this task's bit, notify, block until the bits are cleared) and `eval-params` (timers that notify the
// caller's buffers). What the tests guard here: results a thread sends while the caller's thread is blocked (its
// loop, and any spin on it, stopped) all arrive later; 10,000 tasks at once settle; a task runs while the caller
// blocks right after `submit`. One documented difference, in the first test: tasks submitted in the same turn
// after the first for an idle thread are batched (one message per thread per turn, for throughput) and leave
// when the caller's turn ends; piscina posts each at once.
import os from 'node:os';
import type { ThreadPool } from '@x/to-thread';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { poolPerTest, trapUnhandledRejections } from './helpers.js';

trapUnhandledRejections();

// Inefficient but straightforward 8-bit popcount (piscina's).
function popcount8(v: number): number {
  let n = 0;
  for (let bits = v & 0xff; bits !== 0; bits >>= 1) n += bits & 1;
  return n;
}

/** piscina's fixtures/notify-then-sleep-or: sets bit `index`, wakes the caller, blocks until the bits are cleared. */
const notifyThenSleepOr = (i32array: Int32Array, index: number) => {
  Atomics.or(i32array, 0, 1 << index);
  Atomics.notify(i32array, 0, Number.POSITIVE_INFINITY);
  Atomics.wait(i32array, 0, Atomics.load(i32array, 0));
  return index;
};

/** Blocks this thread until at least 2 bits are set; returns the bits (throws after 10 s rather than hang). */
function waitForTwo(i32array: Int32Array): number {
  const end = Date.now() + 10_000;
  for (;;) {
    const v = Atomics.load(i32array, 0);
    if (popcount8(v) >= 2) return v;
    if (Date.now() > end) throw new Error(`only ${popcount8(v)} task(s) reached Atomics.wait`);
    Atomics.wait(i32array, 0, v, 100);
  }
}

/** Resolves once both threads of `pool` have answered a task (piscina's pool starts its threads up front). */
async function bothThreadsUp(pool: ThreadPool): Promise<void> {
  const seen = new Set<number>();
  const busy = async () => {
    const start = Date.now();
    while (Date.now() - start < 20);
    return (await import('node:worker_threads')).threadId;
  };
  while (seen.size < 2)
    for (const id of await Promise.all([pool.submit(busy, []), pool.submit(busy, [])])) seen.add(id);
}

/** Runs in each thread before it serves: the thread sees one CPU, so it never polls while idle. */
const oneCpuThread = async () => {
  (await import('node:os')).default.availableParallelism = () => 1;
};

describe.each([
  ['spin on (default)', undefined, false],
  ['spin: 0', 0, false],
  ['one CPU (no spin, no idle poll in the threads)', undefined, true],
])('ported from piscina: Atomics optimization, %s', (_, spin, oneCpu) => {
  const perTest = poolPerTest();
  const pool = (options: ConstructorParameters<typeof ThreadPool>[0]) =>
    perTest({ ...options, spin, ...(oneCpu ? { initializer: oneCpuThread } : {}) });
  // A loaded machine running the tests would keep the spin from starting (the load rule): make "on" mean on.
  // One CPU: the pool's own spin is off as it is in a pinned process (it reads the CPUs when the pool is made).
  beforeEach(() => {
    vi.spyOn(os, 'loadavg').mockReturnValue([0, 0, 0]);
    if (oneCpu) vi.spyOn(os, 'availableParallelism').mockReturnValue(1);
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('coverage test for Atomics optimization (sync mode)', async () => {
    const p = pool({ minThreads: 2, maxThreads: 2, concurrentTasksPerThread: 2 });
    await bothThreadsUp(p);
    // Post 4 tasks, and wait for all of them to be ready.
    const i32array = new Int32Array(new SharedArrayBuffer(4));
    const tasks: Promise<number>[] = [];
    for (let index = 0; index < 4; index++) tasks.push(p.submit(notifyThenSleepOr, [i32array, index]));
    // Exactly 2 tasks (one per thread) are in Atomics.wait now.
    let v: number;
    try {
      v = waitForTwo(i32array);
    } catch (error) {
      // Release whatever did start, so that the pool can shut down, then fail.
      Atomics.store(i32array, 0, 0);
      Atomics.notify(i32array, 0, Number.POSITIVE_INFINITY);
      throw error;
    }
    expect(popcount8(v)).toBe(2);
    // Wake both. Their results are sent while this thread stays blocked (200 ms here), to a thread that cannot
    // read them yet. Difference from piscina: the other 2 tasks were batched behind the first of this turn
    // (only a task for an idle thread is sent inside `submit`), so they start once this thread's turn ends, not
    // while it blocks; piscina posts every task at once.
    Atomics.store(i32array, 0, 0);
    Atomics.notify(i32array, 0, Number.POSITIVE_INFINITY);
    const cell = new Int32Array(new SharedArrayBuffer(4));
    Atomics.wait(cell, 0, 0, 200);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(popcount8(waitForTwo(i32array))).toBe(2);
    Atomics.store(i32array, 0, 0);
    Atomics.notify(i32array, 0, Number.POSITIVE_INFINITY);
    expect((await Promise.all(tasks)).sort()).toEqual([0, 1, 2, 3]);
  });

  it('avoids unbounded recursion', async () => {
    const p = pool({ minThreads: 2, maxThreads: 2 });
    const isWorkerThread = async () => !(await import('node:worker_threads')).isMainThread;
    const results = await Promise.all(Array.from({ length: 10_000 }, () => p.submit(isWorkerThread, [])));
    expect(results.every((r) => r === true)).toBe(true);
  });

  it('enable async mode', async () => {
    const p: ThreadPool = pool({ minThreads: 1, maxThreads: 1 });
    const bufs = [0, 1, 2].map(() => new Int32Array(new SharedArrayBuffer(4)));
    const promise = p.submit(
      (shared: Int32Array[]) => {
        shared.forEach((buf, i) => {
          setTimeout(
            () => {
              Atomics.add(buf, 0, 1);
              Atomics.notify(buf, 0, Number.POSITIVE_INFINITY);
            },
            100 + 200 * i,
          );
        });
        return true;
      },
      [bufs],
    );
    // This thread blocks right after `submit`; the task runs anyway, and its timers too.
    const woke = bufs.map((buf) => Atomics.wait(buf, 0, 0, 15_000));
    expect(woke).toEqual(['ok', 'ok', 'ok']);
    expect(await promise).toBe(true);
  });
});
