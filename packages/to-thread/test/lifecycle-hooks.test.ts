import type { WorkerExitEvent } from '@x/executor';
import { InitializerError, ThreadPool, WorkerCrashedError } from '@x/to-thread';
import { describe, expect, it } from 'vitest';
import { poolPerTest, trapUnhandledRejections } from './helpers.js';

trapUnhandledRejections();
const make = poolPerTest();

// Counters in shared memory: [initializer runs, teardown runs].
const init = (sab: SharedArrayBuffer, greeting: string) => {
  Atomics.add(new Int32Array(sab), 0, 1);
  (globalThis as { hook?: unknown }).hook = { sab, greeting };
};
const teardown = () => {
  const { sab } = (globalThis as { hook?: { sab: SharedArrayBuffer } }).hook!;
  Atomics.add(new Int32Array(sab), 1, 1);
};
const greet = () => (globalThis as { hook?: { greeting: string } }).hook?.greeting;

describe('ThreadPool initializer, initArgs, teardown', () => {
  it('runs the initializer once per thread before its tasks, and the teardown once per graceful stop', async () => {
    const counts = new SharedArrayBuffer(8);
    const seen = new Int32Array(counts);
    const pool = new ThreadPool({ maxThreads: 2, initializer: init, initArgs: [counts, 'hi'], teardown });
    const exits: WorkerExitEvent[] = [];
    pool.on('workerExit', (e) => exits.push(e));
    expect(await Promise.all([pool.submit(greet, []), pool.submit(greet, [])])).toEqual(['hi', 'hi']);
    await pool.recycle(); // graceful: teardown runs
    expect(seen[1]).toBe(seen[0]);
    expect(await pool.submit(greet, [])).toBe('hi'); // a fresh thread, initialized too
    await pool.shutdown();
    expect(exits.length).toBeGreaterThanOrEqual(2);
    expect(seen[0]).toBe(exits.length); // one initializer per thread
    expect(seen[1]).toBe(exits.length); // one teardown per thread (all stopped gracefully)
  });

  it('runs no teardown in a thread terminated because it was stuck', async () => {
    const counts = new SharedArrayBuffer(8);
    const pool = make({
      maxThreads: 1,
      initializer: init,
      initArgs: [counts, 'x'],
      teardown,
      cancelGrace: 20,
    });
    await pool.submit(greet, []);
    await expect(
      pool.submit(
        () => {
          for (;;);
        },
        [],
        { timeout: 50 },
      ),
    ).rejects.toMatchObject({ name: 'TimeoutError' });
    await new Promise((r) => setTimeout(r, 100));
    expect(new Int32Array(counts)[1]).toBe(0);
  });

  it('an initializer that throws fails the waiting tasks with WorkerCrashedError (cause InitializerError) instead of respawning in a loop', async () => {
    const pool = make({
      maxThreads: 2,
      initializer: () => {
        throw new RangeError('no database');
      },
    });
    let created = 0;
    pool.on('workerCreate', () => created++);
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const started = performance.now();
      const errors = await Promise.all(
        [1, 2, 3].map((x) => pool.submit((n: number) => n, [x]).catch((e) => e)),
      );
      for (const error of errors) {
        expect(error).toBeInstanceOf(WorkerCrashedError);
        expect(error.cause).toBeInstanceOf(InitializerError);
        expect(error.cause.message).toMatch(/initializer threw in a new thread: no database/);
        expect(error.cause.cause).toMatchObject({ name: 'RangeError', message: 'no database' });
      }
      expect(performance.now() - started).toBeLessThan(10_000);
      // Three failed starts prove start-up broken; the back-off spaced them: no respawn loop.
      const after = created;
      await new Promise((r) => setTimeout(r, 300));
      expect(after).toBeLessThanOrEqual(4);
      expect(created - after).toBeLessThanOrEqual(1);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('validates initializer, initArgs and teardown', () => {
    expect(() => new ThreadPool({ initializer: 5 as never })).toThrow(/"options.initializer"/);
    expect(() => new ThreadPool({ initArgs: 'x' as never })).toThrow(
      /"options.initArgs" property must be an array/,
    );
    expect(() => new ThreadPool({ initArgs: [() => 0] })).toThrow(/options.initArgs/);
    expect(() => new ThreadPool({ teardown: {} as never })).toThrow(/"options.teardown"/);
  });
});

describe('ThreadPool maxMemory', () => {
  it('replaces a thread whose heap grew past maxMemory after a leaking task; the leak goes with it', async () => {
    const pool = make({ maxThreads: 1, maxMemory: 48 });
    const exits: WorkerExitEvent[] = [];
    pool.on('workerExit', (e) => exits.push(e));
    // Each task keeps ~16 MiB of heap reachable from globalThis and reports how many it holds.
    const leak = () => {
      const g = globalThis as { leak?: number[][] };
      g.leak ??= [];
      g.leak.push(Array.from({ length: 2_000_000 }, (_, i) => i + 0.5));
      return g.leak.length;
    };
    const held: number[] = [];
    for (let i = 0; i < 8; i++) held.push(await pool.submit(leak, []));
    // The heap never grew without bound: the thread was replaced and the count started again.
    expect(Math.max(...held)).toBeLessThanOrEqual(4);
    expect(held.filter((n) => n === 1).length).toBeGreaterThanOrEqual(2);
    expect(exits.length).toBeGreaterThanOrEqual(1);
    for (const e of exits) expect(e.reason).toBe('recycled');
  });

  it('leaves a thread under maxMemory alone, and validates it', async () => {
    const pool = make({ maxThreads: 1, maxMemory: 512 });
    const ids = new Set<number>();
    for (let i = 0; i < 5; i++)
      ids.add(await pool.submit(async () => (await import('node:worker_threads')).threadId, []));
    expect(ids.size).toBe(1);
    expect(() => new ThreadPool({ maxMemory: 0 })).toThrow(
      'The value of "options.maxMemory" is out of range',
    );
    expect(() => new ThreadPool({ maxMemory: '1' as never })).toThrow(TypeError);
  });
});
