import { describe, expect, it } from 'vitest';
import { poolPerTest, trapUnhandledRejections } from './helpers.js';

trapUnhandledRejections();
const make = poolPerTest();

/** The task the caller blocks for: it sets cell 0 and wakes whoever waits on it. */
const signalCell = (cells: Int32Array) => {
  Atomics.store(cells, 0, 1);
  Atomics.notify(cells, 0);
  return 'signalled';
};

describe('ThreadPool#submit to an idle thread (issue 19)', () => {
  it('sends the task at once: the caller may block in Atomics.wait right after submit', async () => {
    const pool = make({ minThreads: 1, maxThreads: 1 });
    await pool.submit(() => 0, []); // the thread is up and idle
    const cells = new Int32Array(new SharedArrayBuffer(4));
    const result = pool.submit(signalCell, [cells]);
    // Before, the task waited for a microtask flush that cannot run while this thread blocks: 'timed-out'.
    const outcome = Atomics.wait(cells, 0, 0, 10_000);
    expect(outcome).not.toBe('timed-out');
    expect(Atomics.load(cells, 0)).toBe(1);
    expect(await result).toBe('signalled');
  });

  it('also to a thread the submit itself starts', async () => {
    const pool = make({ maxThreads: 1 });
    const cells = new Int32Array(new SharedArrayBuffer(4));
    const result = pool.submit(signalCell, [cells]);
    const outcome = Atomics.wait(cells, 0, 0, 20_000);
    expect(outcome).not.toBe('timed-out');
    expect(await result).toBe('signalled');
  });

  it('still batches the tasks that follow in the same turn, and runs every task once, in order per thread', async () => {
    const pool = make({ minThreads: 1, maxThreads: 1, concurrentTasksPerThread: 4 });
    await pool.submit(() => 0, []);
    const order = new Int32Array(new SharedArrayBuffer(4 * 65));
    const record = (cells: Int32Array, i: number) => {
      cells[1 + Atomics.add(cells, 0, 1)] = i;
      return i;
    };
    const results = await Promise.all(Array.from({ length: 64 }, (_, i) => pool.submit(record, [order, i])));
    expect(results).toEqual(Array.from({ length: 64 }, (_, i) => i));
    expect(Atomics.load(order, 0)).toBe(64);
    expect([...order.subarray(1)]).toEqual(Array.from({ length: 64 }, (_, i) => i));
  });

  it('a task whose argument cannot be sent still rejects with DataCloneError, and the thread keeps serving', async () => {
    const pool = make({ minThreads: 1, maxThreads: 1 });
    await pool.submit(() => 0, []);
    const port = new MessageChannel().port1;
    // A MessagePort passes the pre-check (it is cloneable when transferred) but not without a transfer list.
    const failed = await pool.submit((p: unknown) => p, [port]).catch((error: unknown) => error);
    port.close();
    expect((failed as Error).name).toBe('DataCloneError');
    expect(await pool.submit((x: number) => x + 1, [1])).toBe(2);
  });
});
