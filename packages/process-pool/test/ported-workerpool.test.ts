/**
 * workerpool's own tests about child processes (`workerType: 'process'`), ported to our `ProcessPool` (issue 13:
 * run a peer's tests against our packages), and five of its dispatch and queue tests, which workerpool runs on its
 * default workers, run here on child processes with the pool's spin on (issue 19). The thread-pool tests are in
 * `packages/to-thread/test/ported-workerpool.test.ts`, whose header lists every workerpool test left out.
 *
 * Source: https://github.com/josdejong/workerpool, commit 601124cf86602c1ac88c273a8f99e9c40bea0f16,
 * files `test/Pool.test.js` (`wp:`) and `test/WorkerHandler.test.js` (`wh:`); workerpool is Copyright Jos de
 * Jong, Apache License 2.0 (http://www.apache.org/licenses/LICENSE-2.0).
 *
 * Mapping: `pool.exec(fn, args)` → `pool.submit(fn, args)`; `forkOpts.env` → `env`; `pool.workers[i].worker.pid`
 * → `pool.pids`; `promise.cancel()` → `AbortController` + `{ signal }`; `promise.timeout(ms)` → `{ timeout }`;
 * `pool.terminate()` → `pool.shutdown()`.
 *
 * Left out here (process mode): the `emitStdStreams` capture tests and `should trigger event(stdout) in abort
 * handler` (no capture: a child's stdout/stderr pass through to the parent's, README "Children and the
 * parent"); `supports worker creation hook to pass dynamic options to fork` (no per-child options; the nearest
 * is `initializer`, run once in each child); `validate` for `forkOpts` (no such pass-through object); `wh:
 * should handle crashing of a worker (1)` (it disconnects the child's IPC channel from the parent side; our
 * pool exposes no child handle — a child whose parent disconnects exits, README "No orphans"); `wh: should
 * terminate before the worker is ready` (handler internals).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { ProcessPool, TimeoutError, WorkerCrashedError } from '@x/process-pool';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { workerpoolDispatchTests } from '../../../scripts/test-support/workerpool-dispatch.js';

const pools: ProcessPool[] = [];
const createPool = (options?: ConstructorParameters<typeof ProcessPool>[0]) => {
  const pool = new ProcessPool(options);
  pools.push(pool);
  return pool;
};
// The pool's spin is on (its default), as a user gets it: a loaded machine running the tests would otherwise keep
// it from starting (the load rule), and these tests would not cover it.
beforeEach(() => {
  vi.spyOn(os, 'loadavg').mockReturnValue([0, 0, 0]);
});
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(pools.splice(0).map((p) => p.shutdown({ cancelPending: true })));
});
const dir = mkdtempSync(join(tmpdir(), 'x-ported-workerpool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function add(a: number, b: number) {
  return a + b;
}
const forever = () => {
  while (true) {}
};
/** Writes `file` once it has started, then never settles. */
const startedThenHang = async (file: string) => {
  const { writeFileSync } = await import('node:fs');
  writeFileSync(file, String(process.pid));
  return new Promise(() => {});
};
/** Writes `file` once it has started, then loops forever (workerpool's `forever`). */
const startedThenForever = (file: string) => {
  require('node:fs').writeFileSync(file, String(process.pid));
  while (true) {}
};
const startedIn = async (file: string) => {
  const { existsSync } = await import('node:fs');
  while (!existsSync(file)) await delay(10);
};
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const pidOf = () => process.pid;

describe('workerpool Pool.test.js, ported to ProcessPool', () => {
  it('supports process', async () => {
    const pool = createPool({ maxWorkers: 1 });
    expect(await pool.submit(add, [3, 4])).toBe(7);
    const pid = await pool.submit(pidOf, []);
    expect(pid).not.toBe(process.pid);
    expect(pool.pids).toEqual([pid]);
  });

  it('supports forkOpts parameter to pass options to fork (env)', async () => {
    const pool = createPool({ maxWorkers: 1, env: { TEST_ENV: 'env_value' } });
    expect(await pool.submit(() => process.env.TEST_ENV, [])).toBe('env_value');
  });

  it('should wait until subprocesses have ended', async () => {
    const pool = createPool({ maxWorkers: 10 });
    expect(pool.workers).toBe(0);
    const result = pool.submit(() => 'ok', []);
    expect(pool.workers).toBe(1);
    expect(await result).toBe('ok');
    expect(pool.workers).toBe(1);
    const [workerPid] = pool.pids;
    expect(workerPid).toBeGreaterThan(0);
    await pool.shutdown();
    expect(pool.workers).toBe(0);
    // this throws if the process with pid `workerPid` does not exist
    expect(() => process.kill(workerPid as number, 0)).toThrow();
  });

  it('should handle crashed workers', async () => {
    // workerpool kills the child at once, before its task ran; ours costs no task for a child that dies
    // while starting (README), so the port kills the child once the task is running.
    const pool = createPool({ maxWorkers: 1 });
    const file = join(dir, 'crashed');
    const promise = pool.submit(startedThenHang, [file]);
    await startedIn(file);
    expect(pool.workers).toBe(1);
    process.kill(pool.pids[0] as number); // SIGTERM, like workerpool's `worker.kill()`
    const error = await promise.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect((error as WorkerCrashedError).signal).toBe('SIGTERM');
    expect(String(error)).toMatch(/killed by signal SIGTERM/);
    // validate whether a new worker is spawned
    const promise2 = pool.submit(add, [2, 3]);
    expect(pool.workers).toBe(1);
    expect(await promise2).toBe(5);
    expect(pool.workers).toBe(1);
  });

  it('should cancel a task', async () => {
    // workerpool rejects with its CancellationError; ours with the signal's reason, and kills the child.
    const pool = createPool({ maxWorkers: 1 });
    const before = await pool.submit(pidOf, []);
    const controller = new AbortController();
    const file = join(dir, 'cancelled');
    const promise = pool.submit(startedThenForever, [file], { signal: controller.signal });
    await startedIn(file);
    controller.abort();
    const error = await promise.catch((e: unknown) => e);
    expect(error).toBe(controller.signal.reason);
    expect(await pool.submit(pidOf, [])).not.toBe(before);
    expect(alive(before)).toBe(false);
  });

  it('should timeout a task', async () => {
    const pool = createPool({ maxWorkers: 1 });
    const before = await pool.submit(pidOf, []);
    const error = await pool.submit(forever, [], { timeout: 200 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(await pool.submit(pidOf, [])).not.toBe(before);
  });
});

// Dispatch and queue tests of Pool.test.js that workerpool runs on its default workers, ported here too (issue 19):
// they exercise the path the spin changed on both sides (the parent after a send, a child after answering, and
// a child's own queue), one child task at a time (`concurrentTasksPerChild: 1`, as workerpool gives a worker one).
describe('workerpool Pool.test.js dispatch and queue, ported to ProcessPool (spin on)', () => {
  workerpoolDispatchTests({
    create: (max) => createPool({ maxWorkers: max, concurrentTasksPerChild: 1 }),
    workers: (pool) => pool.workers,
    TimeoutError,
  });
});

describe('workerpool WorkerHandler.test.js, ported to ProcessPool', () => {
  it('should handle crashing of a worker (2)', async () => {
    const pool = createPool({ maxWorkers: 1 });
    const file = join(dir, 'crashing-2');
    const promise = pool.submit(startedThenHang, [file]);
    await startedIn(file);
    process.kill(pool.pids[0] as number, 'SIGKILL');
    const error = await promise.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(WorkerCrashedError);
    // workerpool's message names exitCode, signalCode, script and spawn arguments; ours names the signal and
    // carries `exitCode` and `signal`.
    expect((error as Error).stack).toMatch(/killed by signal SIGKILL/);
    expect((error as WorkerCrashedError).exitCode).toBe(null);
    expect((error as WorkerCrashedError).signal).toBe('SIGKILL');
  });

  it('should not terminate worker if abort listener is defined inline worker with Cancellation (async task)', async () => {
    // wp: abort handler. workerpool keeps the worker only if the task registered an abort listener; ours
    // drops a cancelled task that is awaiting (not stuck in synchronous code) in its child, which stays, as in
    // ThreadPool. Only a task stuck in synchronous code costs its child (the test above).
    const pool = createPool({ maxWorkers: 1 });
    const before = await pool.submit(pidOf, []);
    const controller = new AbortController();
    const file = join(dir, 'cancelled-async');
    const task = pool.submit(startedThenHang, [file], { signal: controller.signal });
    await startedIn(file);
    controller.abort();
    expect(await task.catch((e: unknown) => e)).toBe(controller.signal.reason);
    expect(await pool.submit(add, [1, 2])).toBe(3);
    expect(await pool.submit(pidOf, [])).toBe(before);
    expect(pool.workers).toBe(1);
  });

  it('should handle errors thrown by a worker (2)', async () => {
    const pool = createPool({ maxWorkers: 1 });
    const error = await pool
      .submit(function test(): never {
        return test();
      }, [])
      .catch((e: unknown) => e);
    expect((error as Error).stack).toMatch(/RangeError: Maximum call stack size exceeded/);
    expect(await pool.submit(add, [1, 1])).toBe(2); // the child survived
  });
});
