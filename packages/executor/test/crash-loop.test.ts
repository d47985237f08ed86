import { MessageChannel } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ExitInfo,
  type MainMessage,
  Pool,
  StartGuard,
  serveWorker,
  type Transport,
  type TransportHandlers,
  WorkerCrashedError,
} from '../src/index.js';

const unhandled: unknown[] = [];
const trap = (reason: unknown) => unhandled.push(reason);
const warnings: Error[] = [];
const onWarning = (w: Error) => warnings.push(w);
beforeAll(() => {
  process.on('unhandledRejection', trap);
  process.on('warning', onWarning);
});
afterAll(() => {
  process.off('unhandledRejection', trap);
  process.off('warning', onWarning);
  expect(unhandled).toEqual([]);
});

/** A worker in this very thread that serves tasks (over a MessageChannel). */
function serving(handlers: TransportHandlers): Transport {
  const { port1, port2 } = new MessageChannel();
  port1.on('message', (m) => handlers.onMessage(m));
  serveWorker({ send: (m) => port2.postMessage(m), onMessage: (l) => port2.on('message', l) });
  let gone = false;
  return {
    send: (m: MainMessage) => port1.postMessage(m),
    terminate() {
      if (gone) return;
      gone = true;
      port1.close();
      setImmediate(() => handlers.onExit({ code: 1, signal: null }));
    },
    ref() {},
    unref() {},
  };
}

/** A worker that dies before it is ready, `after` ms after it was created, as `info` says. */
function failing(handlers: TransportHandlers, info: ExitInfo, after = 5): Transport {
  let gone = false;
  const exit = (i: ExitInfo) => {
    if (gone) return;
    gone = true;
    handlers.onExit(i);
  };
  const timer = setTimeout(() => exit(info), after);
  return {
    send() {},
    terminate() {
      clearTimeout(timer);
      setImmediate(() => exit({ code: 1, signal: null }));
    },
    ref() {},
    unref() {},
    // Shared state, as a thread has: it shows that no task ever started there.
    state: new Int32Array(8),
  };
}

/** A pool whose n-th worker fails as `plan[n]` says (undefined: it serves). */
function scripted(
  plan: (ExitInfo | undefined)[],
  options: Partial<ConstructorParameters<typeof Pool>[0]> = {},
) {
  const spawns: number[] = [];
  const t0 = performance.now();
  const pool = new Pool({
    maxWorkers: 1,
    ...options,
    transport: (h) => {
      const info = plan[spawns.length];
      spawns.push(performance.now() - t0);
      return info === undefined ? serving(h) : failing(h, info);
    },
  });
  return { pool, spawns };
}

const killed = (): ExitInfo => ({
  code: null,
  signal: 'SIGKILL',
  killed: true,
  error: new Error('The child process was killed by SIGKILL before it was ready to run tasks.'),
});
const broken = (message = 'Cannot find module worker.js'): ExitInfo => ({
  code: 1,
  signal: null,
  error: new Error(message),
});

describe('StartGuard', () => {
  it('backs off exponentially from 100 ms, capped, and a start resets it', () => {
    const guard = new StartGuard({ maxDelay: 500, maxKilledDelay: 300 });
    expect(guard.wait(0)).toBe(0);
    guard.failed(new Error('x'), true, 0);
    expect(guard.wait(0)).toBe(100);
    expect(guard.wait(60)).toBe(40);
    guard.failed(new Error('x'), true, 0);
    expect(guard.wait(0)).toBe(200);
    for (let i = 0; i < 5; i++) guard.failed(new Error('x'), true, 0);
    // Killed while starting: capped lower, since a kill says nothing about start-up.
    expect(guard.wait(0)).toBe(300);
    guard.failed(new Error('x'), false, 0);
    expect(guard.wait(0)).toBe(500);
    guard.started();
    expect(guard.wait(0)).toBe(0);
    expect(guard.failures).toBe(0);
  });

  it('never calls start-up broken for workers killed while starting', () => {
    const guard = new StartGuard();
    for (let i = 0; i < 100; i++) expect(guard.failed(new Error('killed'), true)).toBeUndefined();
    expect(guard.broken).toBeUndefined();
  });

  it('calls start-up broken at the third same error in a row, not before; a kill in between does not reset it', () => {
    const guard = new StartGuard();
    const error = () => Object.assign(new TypeError('database unreachable'), { code: 'E_DB' });
    expect(guard.failed(error(), false)).toBeUndefined();
    expect(guard.failed(new Error('killed'), true)).toBeUndefined();
    expect(guard.failed(error(), false)).toBeUndefined();
    const third = error();
    expect(guard.failed(third, false)).toBe(third);
    expect(guard.broken).toBe(third);
  });

  it('starts the count again when the error changes, or when a worker starts', () => {
    const guard = new StartGuard();
    guard.failed(new Error('A'), false);
    guard.failed(new Error('A'), false);
    expect(guard.failed(new Error('B'), false)).toBeUndefined();
    expect(guard.failed(new Error('B'), false)).toBeUndefined();
    guard.started();
    expect(guard.failed(new Error('B'), false)).toBeUndefined();
    expect(guard.broken).toBeUndefined();
  });

  it('tells errors apart by their cause too (an initializer error wraps the real one)', () => {
    const guard = new StartGuard({ threshold: 2 });
    const wrap = (m: string) => new Error('The initializer threw', { cause: new Error(m) });
    guard.failed(wrap('A'), false);
    expect(guard.failed(wrap('B'), false)).toBeUndefined();
    expect(guard.failed(wrap('B'), false)).toBeDefined();
  });
});

describe('Pool: workers that die while starting', () => {
  it('a worker killed while starting costs no task, however often: the task runs once one starts (issue 20)', async () => {
    warnings.length = 0;
    const { pool, spawns } = scripted([killed(), killed(), killed(), killed(), undefined]);
    expect(await pool.submit((n: number) => n * 2, [21])).toBe(42);
    expect(spawns).toHaveLength(5);
    // Backed off between the starts (at least 100, 200, 400, 800 ms after each failure), not forked in a loop.
    for (let k = 0; k < 4; k++) expect(spawns[k + 1]! - spawns[k]!).toBeGreaterThanOrEqual(100 * 2 ** k - 2);
    // A kill is no fault of the program: nothing to warn about.
    expect(warnings.filter((w) => /failed to start/.test(w.message))).toEqual([]);
    await pool.shutdown();
  });

  it('fails the waiting tasks with the error as cause after three same failures in a row, warning about the first two', async () => {
    warnings.length = 0;
    const { pool, spawns } = scripted([broken(), broken(), broken()]);
    const error = await pool.submit(() => 1, []).catch((e: unknown) => e);
    await new Promise((r) => setImmediate(r));
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect((error as Error).message).toMatch(
      /failed to start, 3 in a row with the same error.*\(Cannot find module worker\.js\)/,
    );
    expect((error as Error).cause).toMatchObject({ message: 'Cannot find module worker.js' });
    expect(spawns).toHaveLength(3);
    expect(warnings.map((w) => w.message)).toEqual([
      expect.stringMatching(/failed to start and was replaced: Error: Cannot find module worker\.js/),
      expect.stringMatching(/failed to start and was replaced/),
    ]);
    await pool.shutdown();
  });

  it('fails every waiting task promptly whatever maxWorkers, tasks held by starting workers included (issue 24)', async () => {
    const fail = { code: 70, signal: null, error: new TypeError('database unreachable') };
    const spawns: number[] = [];
    const pool = new Pool({
      maxWorkers: 4,
      concurrentTasksPerWorker: 2,
      // The fourth worker is slower to fail: its tasks must not wait for it.
      transport: (h) => failing(h, fail, spawns.push(0) === 4 ? 10_000 : 5),
    });
    const t0 = performance.now();
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => pool.submit((n) => n, [i])));
    const elapsed = performance.now() - t0;
    for (const r of results) {
      expect(r.status).toBe('rejected');
      const error = (r as PromiseRejectedResult).reason as WorkerCrashedError;
      expect(error).toBeInstanceOf(WorkerCrashedError);
      expect(error.cause).toBe(fail.error);
    }
    // One round of four workers, not a round per worker holding tasks.
    expect(spawns).toHaveLength(4);
    expect(elapsed).toBeLessThan(5000);
    expect(pool.size).toBe(0);
    await pool.shutdown();
  });

  it('does not call start-up broken while the error keeps changing', async () => {
    const { pool, spawns } = scripted([broken('A'), broken('B'), broken('A'), broken('B'), undefined]);
    expect(await pool.submit(() => 'ran', [])).toBe('ran');
    expect(spawns).toHaveLength(5);
    await pool.shutdown();
  });

  it('after start-up was found broken, a new task gets a new attempt, and runs if start-up works again', async () => {
    const { pool, spawns } = scripted([broken(), broken(), broken(), undefined]);
    await expect(pool.submit(() => 1, [])).rejects.toBeInstanceOf(WorkerCrashedError);
    expect(await pool.submit(() => 'recovered', [])).toBe('recovered');
    expect(spawns).toHaveLength(4);
    // The attempt waited for the back-off after three failures.
    expect(spawns[3]! - spawns[2]!).toBeGreaterThanOrEqual(350);
    await pool.shutdown();
  });

  it('a worker that is up keeps serving the queue while new ones keep failing to start', async () => {
    const plan = [undefined, ...Array.from({ length: 20 }, () => broken())];
    const { pool } = scripted(plan, { maxWorkers: 2 });
    const slow = async (n: number) => {
      await new Promise((r) => setTimeout(r, 30));
      return n;
    };
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => pool.submit(slow, [i])));
    expect(results).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    await pool.shutdown();
  });
});
