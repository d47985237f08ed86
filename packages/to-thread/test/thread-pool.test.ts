import { getEventListeners } from 'node:events';
import { Pool } from '@x/executor';
import { AbortError, PoolClosedError, QueueFullError, ThreadPool } from '@x/to-thread';
import { describe, expect, it } from 'vitest';
import { poolPerTest, threadIdOf, trapUnhandledRejections } from './helpers.js';

trapUnhandledRejections();
const make = poolPerTest();
const sleepIn = async (ms: number) => {
  await new Promise((r) => setTimeout(r, ms));
  return ms;
};

describe('new ThreadPool(options)', () => {
  it('validates options synchronously, naming them', () => {
    expect(() => new ThreadPool({ maxThreads: 0 })).toThrow(RangeError);
    expect(() => new ThreadPool({ maxThreads: 0 })).toThrow(
      'The value of "options.maxThreads" is out of range. It must be an integer >= 1. Received 0',
    );
    expect(() => new ThreadPool({ minThreads: 3, maxThreads: 2 })).toThrow(
      /"options.minThreads" \(3\) must not exceed/,
    );
    expect(() => new ThreadPool({ concurrentTasksPerThread: 1.5 })).toThrow(
      /"options.concurrentTasksPerThread"/,
    );
    expect(() => new ThreadPool({ resourceLimits: 3 as never })).toThrow(/"options.resourceLimits" property/);
    expect(() => new ThreadPool({ idleTimeout: -1 })).toThrow(RangeError);
    expect(() => new ThreadPool({ maxQueue: 'x' as never })).toThrow(TypeError);
    expect(() => new ThreadPool(5 as never)).toThrow(/The "options" argument must be of type object/);
  });

  it('ignores options inherited from a polluted Object.prototype: the threads get no env or execArgv from it', async () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.env = { POLLUTED: '1' };
    proto.execArgv = ['--no-deprecation'];
    let pool: ThreadPool;
    try {
      pool = make({ minThreads: 1, maxThreads: 1 }); // starts its thread now, while polluted
    } finally {
      delete proto.env;
      delete proto.execArgv;
    }
    const [polluted, execArgv] = await pool.submit(
      () => [process.env.POLLUTED, process.execArgv] as const,
      [],
    );
    expect(polluted).toBeUndefined();
    expect(execArgv).not.toContain('--no-deprecation');
    expect(pool.threads).toBe(1); // the thread started while polluted is the one that answered
  });

  it('starts no thread until the first task and keeps minThreads', async () => {
    expect(make().threads).toBe(0);
    const pool = make({ minThreads: 1, maxThreads: 2 });
    expect(pool.threads).toBe(1);
    expect(pool.size).toBe(1);
    expect(pool).toBeInstanceOf(Pool);
  });
});

describe('ThreadPool#submit', () => {
  it('runs tasks truly in parallel on maxThreads threads', async () => {
    const pool = make({ maxThreads: 2 });
    const shared = new SharedArrayBuffer(8);
    // Each task waits until the other has started: this only finishes if both run at the same time.
    const meet = (buffer: SharedArrayBuffer, me: number) => {
      const cells = new Int32Array(buffer);
      Atomics.store(cells, me, 1);
      Atomics.notify(cells, me);
      const other = 1 - me;
      const deadline = Date.now() + 5000;
      while (Atomics.load(cells, other) === 0 && Date.now() < deadline) Atomics.wait(cells, other, 0, 50);
      return Atomics.load(cells, other) === 1;
    };
    expect(await Promise.all([pool.submit(meet, [shared, 0]), pool.submit(meet, [shared, 1])])).toEqual([
      true,
      true,
    ]);
    expect(pool.threads).toBe(2);
  });

  it('validates its arguments synchronously', () => {
    const pool = make({ maxThreads: 1 });
    expect(() => pool.submit((x: number) => x, 1 as never)).toThrow(/The "args" argument must be an array/);
    expect(() => pool.submit(() => 1, [], { signal: 1 as never })).toThrow(
      'The "options.signal" property must be an instance of AbortSignal. Received type number (1)',
    );
    expect(() => pool.submit(() => 1, [], { timeout: -5 })).toThrow(RangeError);
  });

  it('rejects with the signal reason at once when the signal is already aborted, without running', async () => {
    const pool = make({ maxThreads: 1 });
    const reason = new Error('stop');
    await expect(pool.submit(() => 1, [], { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(pool.threads).toBe(0);
  });

  it('removes its listener from the caller signal once the task settles', async () => {
    const pool = make({ maxThreads: 1 });
    const controller = new AbortController();
    const task = pool.submit(sleepIn, [20], { signal: controller.signal });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    await task;
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('drops a queued task when its signal aborts: it never runs', async () => {
    const pool = make({ maxThreads: 1, concurrentTasksPerThread: 1 });
    const counter = new Int32Array(new SharedArrayBuffer(4));
    const bump = (c: Int32Array) => Atomics.add(c, 0, 1);
    const blocker = pool.submit(sleepIn, [100]);
    const controller = new AbortController();
    const dropped = pool.submit(bump, [counter], { signal: controller.signal });
    controller.abort(new Error('changed my mind'));
    await expect(dropped).rejects.toThrow('changed my mind');
    await blocker;
    await pool.submit(bump, [counter]);
    expect(Atomics.load(counter, 0)).toBe(1);
  });

  it('times out a task still waiting in the queue, which then never runs', async () => {
    const pool = make({ maxThreads: 1, concurrentTasksPerThread: 1 });
    const counter = new Int32Array(new SharedArrayBuffer(4));
    const blocker = pool.submit(sleepIn, [150]);
    const late = pool.submit((c: Int32Array) => Atomics.add(c, 0, 1), [counter], { timeout: 30 });
    await expect(late).rejects.toMatchObject({ name: 'TimeoutError', code: 'ERR_X_TIMEOUT' });
    await blocker;
    await pool.submit(() => 0, []);
    expect(Atomics.load(counter, 0)).toBe(0);
  });

  it('transfers ArrayBuffers when asked', async () => {
    const pool = make({ maxThreads: 1 });
    const buffer = new Uint8Array([1, 2, 3]).buffer;
    const total = await pool.submit(
      (b: ArrayBuffer) => new Uint8Array(b).reduce((a, x) => a + x, 0),
      [buffer],
      {
        transfer: [buffer],
      },
    );
    expect(total).toBe(6);
    expect(buffer.byteLength).toBe(0);
  });

  it('delivers what clones of a thrown non-Error object holding a function: its message and data', async () => {
    const pool = make();
    const error = await pool
      .submit(() => {
        throw { message: 'boom', details: { value: 42 }, fn() {} };
      }, [])
      .catch((e: unknown) => e);
    expect(error).toEqual({ message: 'boom', details: { value: 42 } });
  });

  it('rejects with QueueFullError beyond maxQueue', async () => {
    const pool = make({ maxThreads: 1, concurrentTasksPerThread: 1, maxQueue: 1 });
    const running = pool.submit(sleepIn, [50]);
    const queued = pool.submit(sleepIn, [1]);
    const error = await pool.submit(sleepIn, [1]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueueFullError);
    expect(error).toMatchObject({ code: 'ERR_X_QUEUE_FULL', maxQueue: 1 });
    expect(await Promise.all([running, queued])).toEqual([50, 1]);
  });

  it('overlaps async tasks inside one thread', async () => {
    const pool = make({ maxThreads: 1, concurrentTasksPerThread: 8 });
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 8 }, () => pool.submit(sleepIn, [150])));
    expect(performance.now() - t0).toBeLessThan(150 * 8 * 0.5);
  });

  it('does not queue tasks behind a long one on the same thread once their function is known to be slow', async () => {
    const pool = make({ maxThreads: 2, concurrentTasksPerThread: 64 });
    const burn = (ms: number) => {
      const end = Date.now() + ms;
      while (Date.now() < end);
      return ms;
    };
    // The first run on each thread (which compiles the function) does not count; the second marks it slow.
    for (let i = 0; i < 2; i++) await Promise.all([pool.submit(burn, [5]), pool.submit(burn, [5])]);
    const order: string[] = [];
    await Promise.all([
      pool.submit(burn, [400]).then(() => order.push('long')),
      pool.submit(burn, [30]).then(() => order.push('short 1')),
      pool.submit(burn, [30]).then(() => order.push('short 2')),
    ]);
    expect(order).toEqual(['short 1', 'short 2', 'long']);
  });

  it('recycles a thread after maxTasksPerThread tasks', async () => {
    const pool = make({ maxThreads: 1, maxTasksPerThread: 2, concurrentTasksPerThread: 1 });
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push(await pool.submit(threadIdOf, []));
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).toBe(ids[3]);
    expect(ids[2]).not.toBe(ids[1]);
  });

  it('ends idle threads after idleTimeout', async () => {
    const pool = make({ maxThreads: 2, idleTimeout: 300 });
    await Promise.all([pool.submit(sleepIn, [10]), pool.submit(sleepIn, [10])]);
    expect(pool.threads).toBe(2);
    await new Promise((r) => setTimeout(r, 1000));
    expect(pool.threads).toBe(0);
    expect(await pool.submit(() => 'back', [])).toBe('back');
  });
});

describe('ThreadPool#map', () => {
  it('yields results in input order by default, pulling a lazy iterable with bounded concurrency', async () => {
    const pool = make({ maxThreads: 2 });
    let pulled = 0;
    function* items() {
      for (let i = 0; i < 20; i++) {
        pulled++;
        yield i;
      }
    }
    const iterator = pool.map((x: number) => x * 10, items(), { concurrency: 3 })[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value).toBe(0);
    expect(pulled).toBeLessThanOrEqual(4);
    const rest = [];
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) rest.push(r.value);
    expect(rest).toEqual(Array.from({ length: 19 }, (_, i) => (i + 1) * 10));
  });

  it('yields in completion order with ordered: false', async () => {
    const pool = make({ maxThreads: 2, concurrentTasksPerThread: 4 });
    const out: number[] = [];
    for await (const ms of pool.map(sleepIn, [300, 10, 150], { ordered: false })) out.push(ms);
    expect(out).toEqual([10, 150, 300]);
  });

  it('throws the first failure and cancels the rest; break closes the source', async () => {
    const pool = make({ maxThreads: 2 });
    const failing = async () => {
      for await (const _ of pool.map(
        (x: number) => {
          if (x === 2) throw new TypeError('two');
          return x;
        },
        [0, 1, 2, 3, 4],
      ));
    };
    await expect(failing()).rejects.toThrow(new TypeError('two'));
    let closed = false;
    function* source() {
      try {
        for (let i = 0; ; i++) yield i;
      } finally {
        closed = true;
      }
    }
    for await (const x of pool.map((x: number) => x, source(), { concurrency: 2 })) if (x === 3) break;
    expect(closed).toBe(true);
  });

  it('pulls an async iterable and stops, cancelling the tasks in flight, when its signal aborts', async () => {
    const pool = make({ maxThreads: 2, concurrentTasksPerThread: 4 });
    async function* slowSource() {
      for (let i = 0; ; i++) {
        await new Promise((r) => setTimeout(r, 1));
        yield 20 + i;
      }
    }
    const controller = new AbortController();
    const seen: number[] = [];
    const reason = new Error('user stopped');
    const loop = (async () => {
      for await (const ms of pool.map(sleepIn, slowSource(), { signal: controller.signal, concurrency: 3 })) {
        seen.push(ms);
        if (seen.length === 3) controller.abort(reason);
      }
    })();
    await expect(loop).rejects.toBe(reason);
    expect(seen).toEqual([20, 21, 22]);
    await new Promise((r) => setTimeout(r, 50));
    expect(pool.pending).toBe(0);
  });

  it('validates its arguments synchronously', () => {
    const pool = make({ maxThreads: 1 });
    expect(() => pool.map((x: number) => x, 5 as never)).toThrow(/The "items" argument must be an iterable/);
    expect(() => pool.map('x' as never, [])).toThrow(TypeError);
    expect(() => pool.map((x: number) => x, [], { concurrency: 0 })).toThrow(RangeError);
  });
});

describe('ThreadPool#shutdown', () => {
  it('waits for pending work by default, then refuses new tasks', async () => {
    const pool = make({ maxThreads: 1, concurrentTasksPerThread: 1 });
    const results = [pool.submit(sleepIn, [30]), pool.submit(sleepIn, [20]), pool.submit(sleepIn, [10])];
    await pool.shutdown();
    expect(await Promise.all(results)).toEqual([30, 20, 10]);
    expect(pool.threads).toBe(0);
    await expect(pool.submit(() => 1, [])).rejects.toBeInstanceOf(PoolClosedError);
  });

  it('with cancelPending rejects the tasks not started with AbortError and lets the running one finish', async () => {
    const pool = make({ maxThreads: 1, concurrentTasksPerThread: 1 });
    await pool.submit(sleepIn, [0]); // the thread is up: what is sent next starts at once
    const running = pool.submit(sleepIn, [50]);
    const pending = [pool.submit(sleepIn, [1]), pool.submit(sleepIn, [1])].map((p) =>
      p.catch((e: unknown) => e),
    );
    await new Promise((r) => setTimeout(r, 10));
    await pool.shutdown({ cancelPending: true });
    expect(await running).toBe(50);
    for (const outcome of await Promise.all(pending)) {
      expect(outcome).toBeInstanceOf(AbortError);
      expect((outcome as AbortError).cause).toBeInstanceOf(PoolClosedError);
    }
  });

  it('with cancelPending and default options also drops tasks already handed to the thread but not started', async () => {
    // By default a thread takes many tasks at once; those it has not started are still "pending".
    const pool = make({ maxThreads: 1 });
    const block = (ms: number) => {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
      return ms;
    };
    await pool.submit(block, [0]); // the thread is up: what is sent next starts at once
    const outcomes = Array.from({ length: 10 }, () => pool.submit(block, [50]).catch((e: unknown) => e));
    await new Promise((r) => setTimeout(r, 20)); // the first task is running, the other nine sent
    const t0 = performance.now();
    await pool.shutdown({ cancelPending: true });
    const elapsed = performance.now() - t0;
    const settled = await Promise.all(outcomes);
    const ran = settled.filter((o) => o === 50).length;
    const cancelled = settled.filter((o) => o instanceof AbortError);
    expect(ran).toBeGreaterThanOrEqual(1);
    expect(ran).toBe(1); // the running one: none of those sent with it starts after the shutdown call
    expect(cancelled).toHaveLength(10 - ran);
    for (const error of cancelled) expect((error as AbortError).cause).toBeInstanceOf(PoolClosedError);
    expect(elapsed).toBeLessThan(9 * 50);
  });

  it('with cancelPending, tasks of a worker that was being stopped are cancelled, not run on a new one', async () => {
    const pool = make({ maxThreads: 1, concurrentTasksPerThread: 2 });
    await pool.submit(() => 0, []);
    // A is stuck and times out: its thread is being terminated with B, not started, on it.
    const a = pool.submit(
      () => {
        for (;;);
      },
      [],
      { timeout: 30 },
    );
    const b = pool.submit(() => 'B ran', []).catch((e: unknown) => e);
    await expect(a).rejects.toMatchObject({ name: 'TimeoutError' });
    while (pool.size > 0) await new Promise((r) => setImmediate(r));
    await pool.shutdown({ cancelPending: true });
    const outcome = await b;
    expect(outcome).toBeInstanceOf(AbortError);
    expect((outcome as AbortError).cause).toBeInstanceOf(PoolClosedError);
  });

  it('with wait: false returns at once and still finishes the work', async () => {
    const pool = make({ maxThreads: 1 });
    const task = pool.submit(sleepIn, [50]);
    let stopped = false;
    const stop = pool.shutdown({ wait: false }).then(() => (stopped = true));
    await stop;
    expect(stopped).toBe(true);
    expect(await task).toBe(50);
  });

  it('returns the same completion to a second call', async () => {
    const pool = make({ maxThreads: 1 });
    const task = pool.submit(sleepIn, [40]);
    const first = pool.shutdown();
    const second = pool.shutdown();
    await second;
    expect(pool.threads).toBe(0);
    expect(await task).toBe(40);
    await first;
  });

  it('is what await using calls', async () => {
    let outside: ThreadPool;
    {
      await using pool = new ThreadPool({ maxThreads: 1 });
      outside = pool;
      expect(await pool.submit(() => 7, [])).toBe(7);
    }
    expect(outside.threads).toBe(0);
    await expect(outside.submit(() => 1, [])).rejects.toBeInstanceOf(PoolClosedError);
  });
});
