/**
 * workerpool's own test suite, ported to our `ThreadPool` (issue 13: run a peer's tests against our packages).
 *
 * Source: https://github.com/josdejong/workerpool, commit 601124cf86602c1ac88c273a8f99e9c40bea0f16,
 * files `test/Pool.test.js` and `test/WorkerHandler.test.js`; workerpool is Copyright Jos de Jong,
 * Apache License 2.0 (http://www.apache.org/licenses/LICENSE-2.0). Each test below names the workerpool test it
 * ports (`wp:` for Pool.test.js, `wh:` for WorkerHandler.test.js). Tests about child processes are in
 * `packages/process-pool/test/ported-workerpool.test.ts`.
 *
 * Mapping: `pool.exec(fn, args)` → `pool.submit(fn, args)`; `maxWorkers`/`minWorkers` → `maxThreads`/`minThreads`;
 * `pool.workers.length` → `pool.threads`; `pool.taskQueue.size()` → `pool.queued`; `promise.cancel()` →
 * `AbortController` + `{ signal }`; `promise.timeout(ms)` → `{ timeout: ms }`; `pool.terminate()` →
 * `pool.shutdown()` (graceful; `terminate(false)`'s dropping of queued tasks is `shutdown({ cancelPending: true })`);
 * a worker script's named method → `fromModule(url, 'name')` (here on `data:` URLs, so no fixture files).
 * Where workerpool hands one worker one task at a time, the port sets `concurrentTasksPerThread: 1`, because
 * our default sends a thread up to 64 tasks at once (README, "How it is fast"); the tests then assert the same.
 *
 * Left out, and why:
 * - `supports auto`, `supports passing options to threads via mode auto`, `errors when not supporting worker
 *   thread`: no `workerType`; a `ThreadPool` always uses threads (`ProcessPool` is the process mode).
 * - `supports worker creation hook ... (fork / threads)` (`onCreateWorker`, `onTerminateWorker`): no per-worker
 *   hooks; every thread gets the same options. The nearest is `ProcessPool`'s `initializer` (run once per child).
 * - the four `stdout/stderr capture` tests (`emitStdStreams`): no capture; a thread's `console` output goes to
 *   the parent's stdout/stderr, written before the task's result settles (README, Notes).
 * - `should create a proxy`, `should create a proxy of a custom worker` (`pool.proxy()`, method listing), and
 *   `wh: should get all methods`: no proxy and no method listing; `fromModule(url, 'name')` names one export.
 *   The two proxy *call* tests are ported below with `fromModule`.
 * - `queueStrategy` (7 tests: fifo/lifo/custom/priority queues, and the queue class names): no queue strategy;
 *   our queue is FIFO. `should process tasks in FIFO order with fifo strategy` is ported.
 * - `should take number of cpus minus one as default maxWorkers` and `... minWorkers set to 'max'`: our default
 *   is `os.availableParallelism()` threads (README), the pool exposes no `maxThreads` to read, and there is no
 *   `'max'` value.
 * - `should receive events from worker` (`workerEmit`): ported in `stream.test.ts`, where a running task's
 *   reports are the values of `pool.stream`. The abort-handler tests `should trigger event ... in abort handler`
 *   (process mode, `emitStdStreams`): no stdio capture.
 * - `should call worker termination handler`, `... async handler`, `should not call ... after timeout`
 *   (`onTerminate`, `workerTerminateTimeout`) and the abort-handler tests with a dedicated worker script or an
 *   abort handler that never resolves (`worker.addAbortListener`): no termination hooks; a task's abort listener
 *   is `taskSignal()` (aborted on cancel and timeout, tested in transfer-and-signal.test.ts). What they protect —
 *   a cancelled *async* task does not cost its thread — is ported below on inline functions.
 * - `validate` (4 tests: unknown or inherited keys of `forkOpts`/`workerThreadOpts`): those pass-through objects
 *   do not exist; our options are validated one by one at construction (see thread-pool.test.ts). Their point,
 *   prototype pollution, is tested there and in process-pool.test.ts: our pools read options as own properties
 *   only (`ownOptions`), so an `Object.prototype.env` (or `execArgv`) set by polluted code is ignored, as
 *   workerpool ignores inherited keys.
 * - `should handle crashed workers (2)` and `wh: should handle crashing of a worker (3)`: `it.skip` upstream.
 * - WorkerHandler internals with no public counterpart: `should test whether a worker is available` (`busy()`),
 *   `should terminate` / `should terminate before the worker is ready` (handler state flags), `should force
 *   termination without finishing running requests` (no forced shutdown: started tasks always finish,
 *   README `shutdown`), `tryRequireWorkerThreads`, `setupProcessWorker`, `setupBrowserWorker`,
 *   `setupWorkerThreadWorker`, `workerGracefulExit`, `workerAlreadyTerminated`, `terminateAndNotify`.
 * - `wh: should handle crashing of a worker (1)/(2)` (disconnect / kill a child process): ported in
 *   process-pool's file; a thread crash is ported here from `wp: should handle crashed workers`.
 */
import { isMainThread } from 'node:worker_threads';
import {
  AbortError,
  fromModule,
  PoolClosedError,
  QueueFullError,
  TimeoutError,
  WorkerCrashedError,
} from '@x/to-thread';
import { describe, expect, it } from 'vitest';
import { workerpoolDispatchTests } from '../../../scripts/test-support/workerpool-dispatch.js';
import { poolPerTest, threadIdOf, trapUnhandledRejections } from './helpers.js';

trapUnhandledRejections();
const createPool = poolPerTest();

function add(a: number, b: number) {
  return a + b;
}

// workerpool's test/workers/simple.js, as a module.
const simple = `data:text/javascript,${encodeURIComponent(`
export function add(a, b) { return a + b; }
export function multiply(a, b) { return a * b; }
export function timeout(delay) { return new Promise((resolve) => setTimeout(() => resolve('done'), delay)); }
`)}`;
// workerpool's test/workers/async.js: a worker whose methods are registered after an asynchronous start.
const asyncInit = `data:text/javascript,${encodeURIComponent(`
await new Promise((resolve) => setTimeout(resolve, 50));
export function add(a, b) { return a + b; }
`)}`;

const forever = () => {
  while (true) {}
};
const startedThenForever = (flag: SharedArrayBuffer) => {
  Atomics.store(new Int32Array(flag), 0, 1);
  while (true) {}
};
/** Spins for `ms` of wall time (workerpool's busy loops). */
const busy = (ms: number, result: string) => {
  const start = Date.now();
  while (Date.now() - start < ms) {}
  return result;
};
/** Sets cell 0 of `flag` once the task has started, then sleeps `ms`. */
const startedThenSleep = async (flag: SharedArrayBuffer, ms: number, result: string) => {
  Atomics.store(new Int32Array(flag), 0, 1);
  await new Promise((resolve) => setTimeout(resolve, ms));
  return result;
};
/** Resolves (on the main thread) once `flag` was set. */
const started = async (flag: SharedArrayBuffer) => {
  while (Atomics.load(new Int32Array(flag), 0) === 0) await new Promise((resolve) => setTimeout(resolve, 5));
};

describe('workerpool Pool.test.js, ported to ThreadPool', () => {
  describe('nodeWorker', () => {
    it('supports thread (wp: supports thread)', async () => {
      const pool = createPool();
      const where = await pool.submit(async () => (await import('node:worker_threads')).isMainThread, []);
      expect(where).toBe(false);
      expect(isMainThread).toBe(true);
      expect(await pool.submit(add, [3, 4])).toBe(7);
    });

    it('supports passing options to threads (wp: supports passing options to threads)', async () => {
      // workerpool passes `workerThreadOpts.resourceLimits`; ours takes `resourceLimits` directly.
      const maxYoungGenerationSizeMb = 200;
      const pool = createPool({ minThreads: 1, resourceLimits: { maxYoungGenerationSizeMb } });
      expect(pool.threads).toBe(1);
      const limits = await pool.submit(async () => (await import('node:worker_threads')).resourceLimits, []);
      expect(limits.maxYoungGenerationSizeMb).toBe(maxYoungGenerationSizeMb);
    });

    it('passes an environment to the threads (wp: supports forkOpts parameter to pass options to fork)', async () => {
      // workerpool's `forkOpts.env` (process mode); a thread takes `env` too.
      const pool = createPool({ env: { TEST_ENV: 'env_value' } });
      expect(await pool.submit(() => process.env.TEST_ENV, [])).toBe('env_value');
    });
  });

  it('should offload a function to a worker', async () => {
    const pool = createPool({ maxThreads: 10 });
    expect(pool.threads).toBe(0);
    const result = pool.submit(add, [3, 4]);
    expect(pool.threads).toBe(1);
    expect(await result).toBe(7);
    expect(pool.threads).toBe(1);
    await pool.shutdown();
    expect(pool.threads).toBe(0);
  });

  // Five dispatch and queue tests, ported once for both pools (scripts/test-support/workerpool-dispatch.ts).
  workerpoolDispatchTests({
    create: (max) => createPool({ maxThreads: max, concurrentTasksPerThread: 1 }),
    workers: (pool) => pool.threads,
    TimeoutError,
  });

  it('should invoke a method via a proxy (fromModule)', async () => {
    const pool = createPool();
    const multiply = fromModule<(a: number, b: number) => number>(simple, 'multiply');
    expect(await pool.submit(multiply, [4, 3])).toBe(12);
  });

  it('should invoke an async method via a proxy (fromModule)', async () => {
    const pool = createPool();
    const timeout = fromModule<(delay: number) => Promise<string>>(simple, 'timeout');
    expect(await pool.submit(timeout, [100])).toBe('done');
  });

  it('should handle errors thrown by a worker', async () => {
    const pool = createPool({ maxThreads: 10 });
    const error = await pool
      .submit(() => {
        throw new TypeError('Test error');
      }, [])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('Test error');
    // Ours also keeps the built-in class (README, Errors).
    expect(error).toBeInstanceOf(TypeError);
  });

  it('should handle a nested custom error class thrown by a worker', async () => {
    // As upstream: a non-Error instance with functions on it (upstream's `toJSON` arrow functions). It cannot
    // be cloned; what of it clones arrives as a plain object with its `message` (upstream gives an Error).
    const pool = createPool();
    const error = await pool
      .submit(() => {
        class CustomError {
          constructor(
            public message: string,
            public details: unknown,
          ) {}
          toJSON = () => ({ message: this.message, details: this.details });
        }
        class NestedCustomData {
          constructor(public value: number) {}
          toJSON = () => ({ value: this.value });
        }
        throw new CustomError('Custom error', new NestedCustomData(42));
      }, [])
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe('Custom error');
    expect((error as { details: { value: number } }).details.value).toBe(42);
  });

  it('keeps the message and nested data of a custom error (variant of: should handle a nested custom error class thrown by a worker)', async () => {
    // The same data thrown from an Error subclass: an Error arrives, of the nearest built-in class.
    const pool = createPool();
    const error = await pool
      .submit(() => {
        class CustomError extends Error {
          details: unknown;
          constructor(message: string, details: unknown) {
            super(message);
            this.details = details;
          }
        }
        class NestedCustomData {
          constructor(public value: number) {}
        }
        throw new CustomError('Custom error', new NestedCustomData(42));
      }, [])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('Custom error');
    expect((error as { details: { value: number } }).details.value).toBe(42);
  });

  it('should execute a function returning a Promise', async () => {
    const pool = createPool({ maxThreads: 10 });
    expect(await pool.submit(() => Promise.resolve('done'), [])).toBe('done');
  });

  it('should propagate a rejected Promise', async () => {
    const pool = createPool({ maxThreads: 10 });
    const error = await pool
      .submit(() => Promise.reject(new Error('I reject!')), [])
      .catch((e: unknown) => e);
    expect(String(error)).toBe('Error: I reject!');
  });

  it('should cancel a task', async () => {
    // workerpool rejects with its CancellationError; ours rejects with the signal's reason, unchanged (README).
    const pool = createPool({ maxThreads: 10 });
    const controller = new AbortController();
    const promise = pool.submit(forever, [], { signal: controller.signal });
    setTimeout(() => controller.abort(), 0);
    const error = await promise.catch((e: unknown) => e);
    expect(error).toBe(controller.signal.reason);
    expect(error).toBeInstanceOf(DOMException);
  });

  it('should cancel a queued task', async () => {
    const pool = createPool({ maxThreads: 1, concurrentTasksPerThread: 1 });
    const ran = new SharedArrayBuffer(4);
    const delayed = () => new Promise((resolve) => setTimeout(() => resolve(1), 0));
    const one = (flag: SharedArrayBuffer) => {
      Atomics.store(new Int32Array(flag), 0, 1);
      return 1;
    };
    const p1 = pool.submit(delayed, []);
    expect(pool.threads).toBe(1);
    expect(pool.queued).toBe(0);
    const controller = new AbortController();
    const p2 = pool.submit(one, [ran], { signal: controller.signal }); // will be queued
    expect(pool.threads).toBe(1);
    expect(pool.queued).toBe(1);
    controller.abort(); // cancel immediately
    // workerpool leaves the cancelled task in its queue until dequeued; ours drops it at once.
    expect(pool.queued).toBe(0);
    await expect(p2).rejects.toBe(controller.signal.reason);
    expect(await p1).toBe(1);
    expect(pool.threads).toBe(1);
    expect(pool.queued).toBe(0);
    expect(Atomics.load(new Int32Array(ran), 0)).toBe(0); // the cancelled task never ran
  });

  it('should not assign new tasks to a worker whose previous task was cancelled', async () => {
    const pool = createPool({ maxThreads: 1 });
    const controller = new AbortController();
    const p1 = pool.submit(forever, [], { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 25));
    controller.abort();
    // Queued right after the cancellation: it must run, not fail with the stopped thread.
    const p2 = pool.submit(add, [3, 4]);
    await expect(p1).rejects.toBe(controller.signal.reason);
    expect(await p2).toBe(7);
  });

  it('should timeout a task', async () => {
    const pool = createPool({ maxThreads: 10 });
    const error = await pool.submit(forever, [], { timeout: 50 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
  });

  it('should handle crashed workers', async () => {
    // workerpool kills the worker from outside; a thread cannot be killed from outside, so the task ends it.
    const pool = createPool({ maxThreads: 1 });
    const error = await pool.submit(() => process.exit(3), []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect((error as WorkerCrashedError).exitCode).toBe(3);
    expect(String(error)).toMatch(/exited with code 3/);
    expect(pool.threads).toBe(0);
    // validate whether a new worker is spawned
    const promise2 = pool.submit(add, [2, 3]);
    expect(pool.threads).toBe(1);
    expect(await promise2).toBe(5);
    expect(pool.threads).toBe(1);
  });

  describe('options', () => {
    it('should throw an error on invalid type or number of maxWorkers', () => {
      // workerpool throws TypeError for all four; ours follows Node: TypeError for a wrong type, RangeError for
      // an out-of-range number (README: "Invalid options throw TypeError/RangeError at once").
      expect(() => createPool({ maxThreads: 'a string' as never })).toThrow(TypeError);
      expect(() => createPool({ maxThreads: 2.5 })).toThrow(RangeError);
      expect(() => createPool({ maxThreads: 0 })).toThrow(RangeError);
      expect(() => createPool({ maxThreads: -1 })).toThrow(RangeError);
    });

    it('should limit to the configured number of max workers', async () => {
      const pool = createPool({ maxThreads: 2, concurrentTasksPerThread: 1 });
      const tasks = [
        pool.submit(add, [1, 2]),
        pool.submit(add, [3, 4]),
        pool.submit(add, [5, 6]),
        pool.submit(add, [7, 8]),
        pool.submit(add, [9, 0]),
      ];
      expect(pool.threads).toBe(2);
      expect(pool.queued).toBe(3);
      expect(await Promise.all(tasks)).toEqual([3, 7, 11, 15, 9]);
    });

    it('should throw an error on invalid type or number of minWorkers', () => {
      expect(() => createPool({ minThreads: 'a string' as never })).toThrow(TypeError);
      expect(() => createPool({ minThreads: 2.5 })).toThrow(RangeError);
      expect(() => createPool({ minThreads: -1 })).toThrow(RangeError);
    });

    it('should increase maxWorkers to match minWorkers — ours refuses the contradiction', () => {
      // Deliberate difference: workerpool raises maxWorkers to minWorkers; ours throws a RangeError naming both
      // options (the options are validated at the door, README "Invalid options throw ... at once").
      expect(() => createPool({ minThreads: 4, maxThreads: 2 })).toThrow(RangeError);
      expect(() => createPool({ minThreads: 4, maxThreads: 2 })).toThrow(
        /"options.minThreads" \(4\) must not exceed/,
      );
    });

    it('should process tasks in FIFO order (wp: queueStrategy fifo)', async () => {
      const pool = createPool({ maxThreads: 1, concurrentTasksPerThread: 1 });
      const results: number[] = [];
      const delayedAdd = (a: number, b: number) =>
        new Promise<number>((resolve) => setTimeout(() => resolve(a + b), 10));
      await Promise.all(
        [1, 2, 3, 4].map((n) => pool.submit(delayedAdd, [n, n]).then((result) => results.push(result))),
      );
      expect(results).toEqual([2, 4, 6, 8]);
    });
  });

  it('should clear all workers upon explicit termination', async () => {
    const pool = createPool({ maxThreads: 10 });
    expect(pool.threads).toBe(0);
    const result = pool.submit(() => 'ok', []);
    expect(pool.threads).toBe(1);
    expect(await result).toBe('ok');
    expect(pool.threads).toBe(1);
    await pool.shutdown();
    expect(pool.threads).toBe(0);
  });

  it('should clear all workers after tasks are finished', async () => {
    const pool = createPool({ maxThreads: 10 });
    expect(pool.threads).toBe(0);
    const result = pool.submit(() => 'ok', []);
    expect(pool.threads).toBe(1);
    await pool.shutdown(); // workerpool: terminate(false, 1000), i.e. let the running task finish
    expect(await result).toBe('ok');
    expect(pool.threads).toBe(0);
  });

  it('should wait for all workers if pool is terminated before multiple concurrent tasks are finished', async () => {
    const pool = createPool({ maxThreads: 10, concurrentTasksPerThread: 1 });
    const promises = [
      pool.submit(busy, [500, 'test 1 ok']),
      pool.submit(busy, [1000, 'test 2 ok']),
      pool.submit(busy, [200, 'test 3 ok']),
    ];
    expect(pool.threads).toBe(3);
    await pool.shutdown();
    expect(pool.threads).toBe(0);
    // workerpool's copy checks `results[3]` (a typo that only passes because its failure is never awaited);
    // the port checks all three.
    expect(await Promise.all(promises)).toEqual(['test 1 ok', 'test 2 ok', 'test 3 ok']);
  });

  it('should wait for all workers if pool is terminated before tasks are finished, even if a task fails', async () => {
    const pool = createPool({ maxThreads: 10, concurrentTasksPerThread: 1 });
    const test2 = (ms: number) => {
      const start = Date.now();
      while (Date.now() - start < ms) {}
      throw new Error('test 2 error');
    };
    const p1 = pool.submit(busy, [1000, 'test 1 ok']);
    const p2 = pool.submit(test2, [100]);
    const all = Promise.all([p1, p2]).catch((e: unknown) => e);
    expect(pool.threads).toBe(2);
    await pool.shutdown();
    expect(pool.threads).toBe(0);
    expect(((await all) as Error).message).toBe('test 2 error');
    expect(await p1).toBe('test 1 ok'); // not stopped by its sibling's failure or by the shutdown
  });

  it('should cancel any pending tasks when terminating a pool', async () => {
    // workerpool's terminate() rejects queued tasks with 'Pool terminated'; ours does that with
    // shutdown({ cancelPending: true }): AbortError whose cause is PoolClosedError. The port waits until the
    // first task has started, because ours cancels every task whose function was not yet called (README).
    const pool = createPool({ maxThreads: 1, concurrentTasksPerThread: 1 });
    const flag = new SharedArrayBuffer(4);
    const promise1 = pool.submit(startedThenSleep, [flag, 50, 'test 1 ok']);
    const promise2 = pool.submit(() => 'test 2 ok', []);
    expect(pool.threads).toBe(1);
    expect(pool.queued).toBe(1);
    const rejection2 = promise2.catch((e: unknown) => e);
    await started(flag);
    expect(pool.queued).toBe(1);
    await pool.shutdown({ cancelPending: true });
    expect(pool.threads).toBe(0);
    expect(pool.queued).toBe(0);
    expect(await promise1).toBe('test 1 ok');
    const error = await rejection2;
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).cause).toBeInstanceOf(PoolClosedError);
  });

  it('should return statistics (threads, queued, pending)', async () => {
    // workerpool's stats() → ours: totalWorkers = threads, pendingTasks = queued, activeTasks = pending - queued.
    const pool = createPool({ maxThreads: 4, concurrentTasksPerThread: 1 });
    const test = () => new Promise((resolve) => setTimeout(resolve, 100));
    const testError = () => Promise.reject(new Error('Test error'));
    expect([pool.threads, pool.queued, pool.pending]).toEqual([0, 0, 0]);
    const first = pool.submit(test, []);
    expect([pool.threads, pool.queued, pool.pending]).toEqual([1, 0, 1]);
    await first;
    expect([pool.threads, pool.queued, pool.pending]).toEqual([1, 0, 0]);
    // start six tasks (max threads is 4, so two wait)
    const all = Promise.all(Array.from({ length: 6 }, () => pool.submit(test, [])));
    expect([pool.threads, pool.queued, pool.pending]).toEqual([4, 2, 6]);
    await all;
    expect([pool.threads, pool.queued, pool.pending]).toEqual([4, 0, 0]);
    await expect(pool.submit(testError, [])).rejects.toThrow('Test error');
    expect([pool.threads, pool.queued, pool.pending]).toEqual([4, 0, 0]);
  });

  it('should throw an error in case of wrong type of arguments in function exec', () => {
    const pool = createPool();
    const submit = pool.submit.bind(pool) as (...args: unknown[]) => Promise<unknown>;
    expect(() => submit()).toThrow(TypeError);
    expect(() => submit(23)).toThrow(TypeError);
    expect(() => submit(add, {})).toThrow(TypeError);
    expect(() => submit(add, 2, 3)).toThrow(TypeError);
    expect(() => submit(add, 'a string')).toThrow(TypeError);
    expect(pool.pending).toBe(0);
  });

  it('should throw an error when the tasks queue is full', async () => {
    // workerpool throws synchronously; ours rejects the returned promise with QueueFullError (README maxQueue).
    const pool = createPool({ maxThreads: 2, maxQueue: 3, concurrentTasksPerThread: 1 });
    expect(pool.queued).toBe(0);
    expect(pool.threads).toBe(0);
    const task1 = pool.submit(add, [3, 4]);
    const task2 = pool.submit(add, [2, 3]);
    expect(pool.queued).toBe(0);
    expect(pool.threads).toBe(2);
    const task3 = pool.submit(add, [5, 7]);
    const task4 = pool.submit(add, [1, 1]);
    const task5 = pool.submit(add, [6, 3]);
    expect(pool.queued).toBe(3);
    expect(pool.threads).toBe(2);
    await expect(pool.submit(add, [9, 4])).rejects.toBeInstanceOf(QueueFullError);
    expect(await Promise.all([task1, task2, task3, task4, task5])).toEqual([7, 5, 12, 2, 9]);
    expect(pool.queued).toBe(0);
    expect(pool.threads).toBe(2);
  });

  it('should support sending transferable object to worker', async () => {
    const pool = createPool();
    const size = 8;
    const uInt8Array = new Uint8Array(size).map((_v, i) => i);
    const result = await pool.submit((array: Uint8Array) => array.byteLength, [uInt8Array], {
      transfer: [uInt8Array.buffer],
    });
    expect(result).toBe(size);
    // original buffer should be transferred thus empty
    expect(uInt8Array.byteLength).toBe(0);
  });

  it('should support sending transferable object from worker', async () => {
    // workerpool's worker returns `new workerpool.Transfer(array, [array.buffer])`; ours asks with transferResult
    // (a module function can return transfer(value, list) instead: transfer-and-signal.test.ts).
    const pool = createPool();
    const size = 8;
    const result = await pool.submit((n: number) => new Uint8Array(n).buffer, [size], {
      transferResult: true,
    });
    expect(result).toBeInstanceOf(ArrayBuffer);
    expect(result.byteLength).toBe(size);
  });

  describe('abort handler (async task cancelled: the thread is kept)', () => {
    // workerpool needs an abort listener in the worker (`this.worker.addAbortListener`) to keep a worker whose
    // async task was cancelled; ours drops a cancelled async task in its thread without one (README
    // `options.signal`). The observable part is ported: the same single thread runs the next task.
    const asyncTimeout = () => new Promise((resolve) => setTimeout(resolve, 5000));

    it('should not terminate worker if abort listener is defined inline worker with Timeout', async () => {
      const pool = createPool({ maxThreads: 1 });
      const before = await pool.submit(threadIdOf, []);
      const error = await pool.submit(asyncTimeout, [], { timeout: 200 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TimeoutError);
      expect(await pool.submit(add, [1, 2])).toBe(3);
      expect(await pool.submit(threadIdOf, [])).toBe(before);
      expect(pool.threads).toBe(1);
    });

    it('should not terminate worker if abort listener is defined inline worker with Cancellation', async () => {
      const pool = createPool({ maxThreads: 1 });
      const before = await pool.submit(threadIdOf, []);
      const controller = new AbortController();
      const task = pool.submit(asyncTimeout, [], { signal: controller.signal });
      await new Promise((resolve) => setTimeout(resolve, 50));
      controller.abort();
      await expect(task).rejects.toBe(controller.signal.reason);
      expect(await pool.submit(add, [1, 2])).toBe(3);
      expect(await pool.submit(threadIdOf, [])).toBe(before);
      expect(pool.threads).toBe(1);
    });
  });
});

describe('workerpool WorkerHandler.test.js, ported to ThreadPool', () => {
  it('should handle a request', async () => {
    const pool = createPool({ maxThreads: 1 });
    expect(await pool.submit(add, [2, 4])).toBe(6);
  });

  it('should handle multiple requests at once', async () => {
    const pool = createPool({ maxThreads: 1 });
    expect(await Promise.all([pool.submit(add, [2, 4]), pool.submit(add, [4, 7])])).toEqual([6, 11]);
  });

  it('should terminate after finishing running requests', async () => {
    const pool = createPool({ maxThreads: 1 });
    let runComplete = false;
    const run = pool.submit(add, [2, 4]).then((result) => {
      expect(result).toBe(6);
      runComplete = true;
    });
    await pool.shutdown();
    expect(runComplete).toBe(true);
    expect(pool.threads).toBe(0);
    await run;
  });

  it('handle a promise based result', async () => {
    const pool = createPool({ maxThreads: 1 });
    const asyncAdd = (a: unknown, b: unknown) =>
      new Promise((resolve, reject) => {
        if (typeof a === 'number' && typeof b === 'number') resolve(a + b);
        else reject(new TypeError('Invalid input, two numbers expected'));
      });
    expect(await pool.submit(asyncAdd, [2, 4])).toBe(6);
    const error = await pool.submit(asyncAdd, [2, 'oops']).catch((e: unknown) => e);
    expect((error as Error).stack).toMatch(/TypeError: Invalid input, two numbers expected/);
  });

  it('create a worker handler with custom script', async () => {
    const pool = createPool({ maxThreads: 1 });
    expect(await pool.submit(add, [2, 4])).toBe(6); // the built-in `run`: an inline function
    expect(await pool.submit(fromModule<(a: number, b: number) => number>(simple, 'multiply'), [2, 4])).toBe(
      8,
    );
  });

  it('should handle the asynchronous initialization of a worker', async () => {
    const pool = createPool({ maxThreads: 1 });
    expect(await pool.submit(fromModule<(a: number, b: number) => number>(asyncInit, 'add'), [2, 4])).toBe(6);
  });

  it('should cancel a task', async () => {
    // workerpool asserts the handler's worker was terminated; ours replaces the stuck thread: the next task
    // runs on another one.
    const pool = createPool({ maxThreads: 1 });
    const before = await pool.submit(threadIdOf, []);
    const controller = new AbortController();
    const flag = new SharedArrayBuffer(4);
    const promise = pool.submit(startedThenForever, [flag], { signal: controller.signal });
    await started(flag); // a task aborted before it started is only dropped; this one is stuck in its loop
    controller.abort();
    await expect(promise).rejects.toBe(controller.signal.reason);
    expect(await pool.submit(threadIdOf, [])).not.toBe(before);
  });

  it('should timeout a task', async () => {
    const pool = createPool({ maxThreads: 1 });
    const before = await pool.submit(threadIdOf, []);
    const error = await pool.submit(forever, [], { timeout: 50 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(await pool.submit(threadIdOf, [])).not.toBe(before);
  });

  it('should handle errors thrown by a worker (1)', async () => {
    const pool = createPool({ maxThreads: 1 });
    const error = await pool
      .submit(() => {
        throw new TypeError('Test error');
      }, [])
      .catch((e: unknown) => e);
    expect((error as Error).stack).toMatch(/TypeError: Test error/);
  });

  it('should handle errors thrown by a worker (2)', async () => {
    const pool = createPool({ maxThreads: 1 });
    const error = await pool
      .submit(function test(): never {
        return test();
      }, [])
      .catch((e: unknown) => e);
    expect((error as Error).stack).toMatch(/RangeError: Maximum call stack size exceeded/);
    expect(error).toBeInstanceOf(RangeError);
    expect(await pool.submit(add, [1, 1])).toBe(2); // the thread survived
  });
});
