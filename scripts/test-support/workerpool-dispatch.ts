// Test helper shared by @x/to-thread and @x/process-pool: five of workerpool's dispatch and queue tests, ported
// once and run on both pools (threads in to-thread's ported-workerpool.test.ts, child processes in process-pool's).
//
// Source: https://github.com/josdejong/workerpool, commit 601124cf86602c1ac88c273a8f99e9c40bea0f16,
// test/Pool.test.js; workerpool is Copyright Jos de Jong, Apache License 2.0
// (http://www.apache.org/licenses/LICENSE-2.0). Mapping as in those files' headers: `pool.exec(fn, args)` →
// `pool.submit(fn, args)`, `pool.workers.length` → the pool's `threads` / `workers`, `pool.taskQueue.size()` →
// `pool.queued`, `promise.cancel()` → an `AbortController`, `promise.timeout(ms)` → `{ timeout: ms }`. workerpool
// gives a worker one task at a time, so each pool here is made with one task per worker.
import { expect, it } from 'vitest';

/** What the tests use of a pool. */
export interface DispatchPool {
  submit(
    fn: (...args: never[]) => unknown,
    args: unknown[],
    options?: { signal?: AbortSignal; timeout?: number },
  ): Promise<unknown>;
  readonly queued: number;
}

export interface DispatchAdapter<P extends DispatchPool> {
  /** A pool of at most `max` workers, each given one task at a time; shut down by the caller's test file. */
  create(max: number): P;
  /** The pool's live workers (threads or child processes). */
  workers(pool: P): number;
  /** The pool's `TimeoutError` class. */
  TimeoutError: abstract new (
    ...args: never[]
  ) => Error;
}

const add = (a: number, b: number) => a + b;
const sleep = (ms: number, result: string) => new Promise((resolve) => setTimeout(() => resolve(result), ms));

/** Registers the five tests (`it`) in the caller's `describe`. */
export function workerpoolDispatchTests<P extends DispatchPool>({
  create,
  workers,
  TimeoutError,
}: DispatchAdapter<P>) {
  it('should offload functions to multiple workers', async () => {
    const pool = create(10);
    expect(workers(pool)).toBe(0);
    const all = Promise.all([pool.submit(add, [3, 4]), pool.submit(add, [2, 3])]);
    expect(workers(pool)).toBe(2);
    expect(await all).toEqual([7, 5]);
    expect(workers(pool)).toBe(2);
  });

  it('should put tasks in queue when all workers are busy', async () => {
    const pool = create(2);
    expect(pool.queued).toBe(0);
    expect(workers(pool)).toBe(0);
    const task1 = pool.submit(add, [3, 4]);
    const task2 = pool.submit(add, [2, 3]);
    expect(pool.queued).toBe(0);
    expect(workers(pool)).toBe(2);
    const task3 = pool.submit(add, [5, 7]);
    const task4 = pool.submit(add, [1, 1]);
    expect(pool.queued).toBe(2);
    expect(workers(pool)).toBe(2);
    expect(await Promise.all([task1, task2, task3, task4])).toEqual([7, 5, 12, 2]);
    expect(pool.queued).toBe(0);
    expect(workers(pool)).toBe(2);
  });

  it('should run following tasks if a previous queued task is cancelled', async () => {
    const pool = create(1);
    const delayed = () => new Promise((resolve) => setTimeout(() => resolve(1), 0));
    const two = () => new Promise((resolve) => setTimeout(() => resolve(2), 0));
    const one = () => 1;
    const p1 = pool.submit(delayed, []);
    expect(workers(pool)).toBe(1);
    expect(pool.queued).toBe(0);
    const controller = new AbortController();
    const p2 = pool.submit(one, [], { signal: controller.signal }); // will be queued
    expect(pool.queued).toBe(1);
    const p3 = pool.submit(two, []);
    controller.abort(); // cancel immediately
    expect(workers(pool)).toBe(1);
    expect(pool.queued).toBe(1); // workerpool: 2 (it keeps the cancelled task queued); ours drops it
    await expect(p2).rejects.toBe(controller.signal.reason);
    expect(await p1).toBe(1);
    expect(await p3).toBe(2);
    expect(workers(pool)).toBe(1);
    expect(pool.queued).toBe(0);
  });

  it('should start timeout timer of a task once the task is taken from the queue (1): ours counts from submission', async () => {
    // Deliberate difference: our `timeout` runs from submission, not from when a worker takes the task (README:
    // "`options.timeout` (ms, from submission)"). workerpool's queued `doNothing` with a 50 ms timeout behind a
    // 100 ms task resolves; ours times out. (The first task runs 300 ms here, so the 50 ms deadline passes well
    // before the worker is free.)
    const pool = create(1);
    const first = pool.submit(sleep, [300, 'done :)']);
    const error = await pool.submit(() => 'ready', [], { timeout: 50 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(await first).toBe('done :)');
  });

  it('should start timeout timer of a task once the task is taken from the queue (2)', async () => {
    const pool = create(1);
    const first = pool.submit(sleep, [100, 'done :)']);
    const error = await pool.submit(sleep, [100, 'done :)'], { timeout: 50 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(await first).toBe('done :)');
  });
}
