import diagnosticsChannel from 'node:diagnostics_channel';
import type { TaskTraceContext, WorkerExitEvent } from '@x/executor';
import { describe, expect, it } from 'vitest';
import { poolPerTest, trapUnhandledRejections } from './helpers.js';

trapUnhandledRejections();
const make = poolPerTest();
const spin = (ms: number) => {
  const end = Date.now() + ms;
  while (Date.now() < end);
  return ms;
};

describe('pool events', () => {
  it('emits workerCreate and workerExit with the reason: idle, recycled, stuck, crashed, shutdown', async () => {
    const pool = make({ maxThreads: 1, idleTimeout: 50, maxTasksPerThread: 2, cancelGrace: 20 });
    const created: unknown[] = [];
    const exits: WorkerExitEvent[] = [];
    pool.on('workerCreate', (e) => created.push(e));
    pool.on('workerExit', (e) => exits.push(e));
    const exited = () => new Promise<WorkerExitEvent>((resolve) => pool.once('workerExit', resolve));

    // stuck: a timed-out task spinning in sync code (on a thread that is up, so the task has started)
    let next = exited();
    await pool.submit((x: number) => x, [0]);
    await expect(pool.submit(spin, [5000], { timeout: 100 })).rejects.toMatchObject({ name: 'TimeoutError' });
    expect((await next).reason).toBe('stuck');
    // recycled: maxTasksPerThread 2
    next = exited();
    await Promise.all([pool.submit((x: number) => x, [1]), pool.submit((x: number) => x, [2])]);
    expect((await next).reason).toBe('recycled');
    // idle: the next thread runs one task, then idles past idleTimeout
    next = exited();
    await pool.submit((x: number) => x, [3]);
    expect((await next).reason).toBe('idle');
    // crashed: the thread exits on its own
    next = exited();
    await expect(pool.submit(() => process.exit(3), [])).rejects.toMatchObject({
      name: 'WorkerCrashedError',
    });
    expect(await next).toMatchObject({ reason: 'crashed', code: 3 });
    // shutdown
    await pool.submit((x: number) => x, [4]);
    next = exited();
    await pool.shutdown();
    expect((await next).reason).toBe('shutdown');

    expect(created).toHaveLength(5);
    expect(exits.map((e) => e.reason)).toEqual(['stuck', 'recycled', 'idle', 'crashed', 'shutdown']);
    // The same ids in both events, each worker once, threadId given.
    expect(exits.map((e) => e.id).sort()).toEqual(created.map((e) => (e as { id: number }).id).sort());
    for (const e of created) expect(e).toMatchObject({ threadId: expect.any(Number) });
  });

  it('emits drain once the queue of waiting tasks is empty, not while tasks are dispatched at once', async () => {
    const pool = make({ maxThreads: 1, concurrentTasksPerThread: 1 });
    let drains = 0;
    pool.on('drain', () => drains++);
    await pool.submit((x: number) => x, [1]); // never queued
    expect(drains).toBe(0);
    const all = Array.from({ length: 5 }, (_, i) => pool.submit(async (x: number) => x, [i]));
    expect(pool.queued).toBe(4);
    const drained = new Promise<number>((resolve) => pool.once('drain', () => resolve(pool.queued)));
    await Promise.all(all);
    expect(await drained).toBe(0);
    expect(drains).toBe(1);
  });

  it('a listener that throws does not break the pool: the other listeners run, the error becomes a warning', async () => {
    const pool = make({ maxThreads: 1, maxTasksPerThread: 1 });
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const seen: string[] = [];
      pool.on('workerCreate', () => {
        throw new Error('listener bug');
      });
      pool.on('workerCreate', () => seen.push('create'));
      pool.on('workerExit', () => {
        throw new Error('exit listener bug');
      });
      pool.on('workerExit', () => seen.push('exit'));
      // Each task recycles its thread: every create and exit path runs through the throwing listeners.
      const results = await Promise.all(
        Array.from({ length: 4 }, (_, i) => pool.submit((x: number) => x * 2, [i])),
      );
      expect(results).toEqual([0, 2, 4, 6]);
      expect(await pool.submit((x: number) => x + 1, [1])).toBe(2);
      await new Promise((r) => setTimeout(r, 50));
      expect(seen.filter((s) => s === 'create').length).toBeGreaterThanOrEqual(5);
      expect(seen).toContain('exit');
      await new Promise((r) => setImmediate(r));
      expect(warnings.length).toBeGreaterThanOrEqual(2);
      expect(warnings[0]).toMatchObject({ name: 'PoolListenerWarning', code: 'ERR_X_LISTENER_FAILED' });
      expect(warnings.map((w) => w.message).join('\n')).toMatch(/"workerCreate" listener .*listener bug/);
      expect(pool.pending).toBe(0);
    } finally {
      process.off('warning', onWarning);
    }
  });
});

describe('pool.stats()', () => {
  it('counts completed, failed and cancelled tasks and times runs and waits', async () => {
    const pool = make({ maxThreads: 1, concurrentTasksPerThread: 1 });
    const fresh = pool.stats();
    expect(fresh).toMatchObject({
      workers: 0,
      idle: 0,
      running: 0,
      queued: 0,
      completed: 0,
      failed: 0,
      cancelled: 0,
    });
    expect(fresh.runTime).toEqual({ min: 0, max: 0, mean: 0, p50: 0, p90: 0, p99: 0 });

    const sleep = async (ms: number) => {
      await new Promise((r) => setTimeout(r, ms));
      return ms;
    };
    const a = pool.submit(sleep, [60]);
    const b = pool.submit(sleep, [60]);
    const controller = new AbortController();
    const c = pool.submit(sleep, [60], { signal: controller.signal }).catch((e) => e);
    controller.abort();
    const d = pool.submit(sleep, [60], { timeout: 1 }).catch((e) => e);
    await new Promise((r) => setTimeout(r, 20));
    const during = pool.stats();
    expect(during).toMatchObject({ workers: 1, idle: 0, running: 1, queued: 1 });
    await Promise.all([a, b, c, d]);
    await expect(
      pool.submit(() => {
        throw new Error('no');
      }, []),
    ).rejects.toThrow('no');
    const after = pool.stats();
    expect(after).toMatchObject({
      workers: 1,
      idle: 1,
      running: 0,
      queued: 0,
      completed: 2,
      failed: 1,
      cancelled: 2,
    });
    // Two 60 ms runs and a fast failing one: the max run is about 60 ms, the min far below.
    expect(after.runTime.max).toBeGreaterThanOrEqual(55);
    expect(after.runTime.min).toBeLessThan(after.runTime.max);
    expect(after.runTime.p99).toBeGreaterThanOrEqual(after.runTime.p50);
    // The second task waited for the first (about 60 ms).
    expect(after.waitTime.max).toBeGreaterThanOrEqual(40);
    expect(after.utilization).toBeGreaterThan(0);
    expect(after.utilization).toBeLessThanOrEqual(1);
  });

  it('utilization is near 1 for a worker kept busy, near 0 for an idle one', async () => {
    const busy = make({ minThreads: 1, maxThreads: 1 });
    await busy.submit(() => 0, []);
    await busy.submit(spin, [300]);
    expect(busy.stats().utilization).toBeGreaterThan(0.6);
    const idle = make({ minThreads: 1, maxThreads: 1 });
    await idle.submit(() => 0, []);
    await new Promise((r) => setTimeout(r, 300));
    expect(idle.stats().utilization).toBeLessThan(0.2);
  });

  it('records no timing with recordTiming: false, but still counts', async () => {
    const pool = make({ maxThreads: 1, recordTiming: false });
    await pool.submit(spin, [30]);
    const stats = pool.stats();
    expect(stats.completed).toBe(1);
    expect(stats.runTime.max).toBe(0);
    expect(stats.utilization).toBe(0);
    expect(() => make({ recordTiming: 1 as never })).toThrow(
      /"options.recordTiming" property must be of type boolean/,
    );
  });
});

describe("tracingChannel('@x/executor:task')", () => {
  it('publishes start, end, asyncStart, asyncEnd (and error for a failure) with { id, pool, label }', async () => {
    const pool = make({ maxThreads: 1 });
    const events: Array<[string, TaskTraceContext]> = [];
    const handlers = {
      start: (c: unknown) => events.push(['start', { ...(c as TaskTraceContext) }]),
      end: (c: unknown) => events.push(['end', { ...(c as TaskTraceContext) }]),
      asyncStart: (c: unknown) => events.push(['asyncStart', { ...(c as TaskTraceContext) }]),
      asyncEnd: (c: unknown) => events.push(['asyncEnd', { ...(c as TaskTraceContext) }]),
      error: (c: unknown) => events.push(['error', { ...(c as TaskTraceContext) }]),
    };
    const channel = diagnosticsChannel.tracingChannel('@x/executor:task');
    channel.subscribe(handlers);
    try {
      expect(
        await pool.submit(
          function double(x: number) {
            return x * 2;
          },
          [21],
        ),
      ).toBe(42);
      await expect(
        pool.submit(() => {
          throw new TypeError('bad');
        }, []),
      ).rejects.toThrow('bad');
    } finally {
      channel.unsubscribe(handlers);
    }
    expect(events.map(([name]) => name)).toEqual([
      'start',
      'end',
      'asyncStart',
      'asyncEnd',
      'start',
      'end',
      'error',
      'asyncStart',
      'asyncEnd',
    ]);
    const [, first] = events[0]!;
    expect(first).toMatchObject({ id: expect.any(Number), label: 'double' });
    expect(first.pool).toBe(pool);
    expect(events[3]![1].result).toBe(42);
    expect(events[6]![1].error).toMatchObject({ name: 'TypeError', message: 'bad' });
    expect(events[4]![1].id).not.toBe(first.id);
    // Unsubscribed: nothing more is published.
    await pool.submit((x: number) => x, [1]);
    expect(events).toHaveLength(9);
  });
});

describe("tracingChannel('@x/executor:task') with a bound store", () => {
  it('enters the start channel stores for the submit (AsyncLocalStorage), and still publishes everything', async () => {
    const { AsyncLocalStorage } = await import('node:async_hooks');
    const pool = make({ maxThreads: 1 });
    const storage = new AsyncLocalStorage<number>();
    const channel = diagnosticsChannel.tracingChannel<unknown, TaskTraceContext>('@x/executor:task');
    channel.start.bindStore(storage, (context) => context.id);
    const seen: Array<number | undefined> = [];
    const handlers = {
      start: () => seen.push(storage.getStore()),
      end: () => {},
      asyncStart: () => {},
      asyncEnd: () => {},
      error: () => {},
    };
    channel.subscribe(handlers);
    try {
      expect(await pool.submit((x: number) => x + 1, [1])).toBe(2);
    } finally {
      channel.unsubscribe(handlers);
      channel.start.unbindStore(storage);
    }
    expect(seen).toHaveLength(1);
    expect(seen[0]).toEqual(expect.any(Number));
  });
});
