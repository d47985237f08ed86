import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Pool } from '@x/executor';
import {
  AbortError,
  DataCloneError,
  fromModule,
  InitializerError,
  PoolClosedError,
  ProcessPool,
  QueueFullError,
  TimeoutError,
  WorkerCrashedError,
} from '@x/process-pool';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runIsolated } from './isolated.js';

const work = new URL('./fixtures/work.mjs', import.meta.url);
const pools: ProcessPool[] = [];
const make = (options?: ConstructorParameters<typeof ProcessPool>[0]) => {
  const pool = new ProcessPool({ maxWorkers: 2, ...options });
  pools.push(pool);
  return pool;
};
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.shutdown({ cancelPending: true })));
});

// No promise of the pool may reject unobserved, whatever the faults above.
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});

const spawns = (log: string) => readFileSync(log, 'utf8').split('\n').filter(Boolean).length;

/** The process exists and is not a zombie waiting for a (possibly non-reaping) init to collect it. */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch (error) {
    // Gone meanwhile, or no /proc (not Linux: kill(0) is all we know).
    return (error as NodeJS.ErrnoException).code !== 'ENOENT' || !existsSync('/proc/self');
  }
};

describe('ProcessPool.submit', () => {
  it("returns at once and resolves later with the result (the seed's basic submit)", async () => {
    const pool = make();
    let settled = false;
    const future = pool.submit(
      async (name: string, ms: number) => {
        await new Promise((r) => setTimeout(r, ms));
        return `${name} done`;
      },
      ['A', 50],
    );
    void future.then(() => {
      settled = true;
    });
    expect(settled).toBe(false);
    expect(await future).toBe('A done');
  });

  it('runs tasks in parallel on several children (sequential 3 x d vs parallel about d)', async () => {
    const pool = make({ maxWorkers: 3, minWorkers: 3 });
    const sleepSync = (ms: number) => {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
      return process.pid;
    };
    await Promise.all([1, 2, 3].map(() => pool.submit(sleepSync, [1]))); // warm the children
    const t0 = performance.now();
    const pids = await Promise.all([1, 2, 3].map(() => pool.submit(sleepSync, [300])));
    const elapsed = performance.now() - t0;
    expect(new Set(pids).size).toBe(3);
    expect(elapsed).toBeLessThan(3 * 300 * 0.75);
  });

  it('is a Pool of @x/executor; children started by minWorkers are counted and listed at once', async () => {
    const pool = make({ maxWorkers: 3, minWorkers: 2 });
    expect(pool).toBeInstanceOf(Pool);
    expect(pool.workers).toBe(2);
    expect(pool.size).toBe(2);
    expect(pool.pids).toHaveLength(2);
    const pids = await Promise.all([1, 2].map(() => pool.submit(() => process.pid, [])));
    for (const pid of pids) expect(pool.pids).toContain(pid);
  });

  it('passes several arguments and keeps structured-clone types both ways', async () => {
    const pool = make();
    const result = await pool.submit(
      (op: string, a: bigint, m: Map<string, Date>, bytes: Uint8Array) => ({
        op,
        twice: a * 2n,
        year: m.get('d')!.getUTCFullYear(),
        sum: bytes.reduce((x, y) => x + y, 0),
        set: new Set([op]),
      }),
      ['add', 21n, new Map([['d', new Date(Date.UTC(2024, 0, 1))]]), new Uint8Array([1, 2, 3])],
    );
    expect(result).toEqual({ op: 'add', twice: 42n, year: 2024, sum: 6, set: new Set(['add']) });
  });

  it('rejects with the remote error: class, message, code, cause and remote stack', async () => {
    const pool = make();
    const error = await pool
      .submit(() => {
        const e = new RangeError('amount must be positive', { cause: new Error('input was -1') });
        (e as RangeError & { code: string }).code = 'E_AMOUNT';
        throw e;
      }, [])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RangeError);
    expect(error).toMatchObject({ message: 'amount must be positive', code: 'E_AMOUNT' });
    expect((error as Error).cause).toMatchObject({ message: 'input was -1' });
    expect((error as Error).stack).toContain('amount must be positive');
  });

  it('keeps a custom error class name (tinypool lost it)', async () => {
    const pool = make();
    const error = await pool
      .submit(() => {
        class PaymentDeclined extends Error {
          override name = 'PaymentDeclined';
        }
        throw new PaymentDeclined('card declined');
      }, [])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'PaymentDeclined', message: 'card declined' });
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

  it('refuses a function argument with a DataCloneError naming it, and the pool stays healthy', async () => {
    const pool = make();
    const error = await pool.submit((x: unknown) => x, [() => 1]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataCloneError);
    expect((error as Error).message).toMatch(/argument 1/);
    expect(await pool.submit((x: number) => x + 1, [1])).toBe(2);
  });

  it('runs module functions named with fromModule', async () => {
    const pool = make();
    const sumRange = fromModule<(n: number) => number>(work, 'sumRange');
    expect(await pool.submit(sumRange, [10])).toBe(45);
  });

  it('explains a captured variable instead of a bare ReferenceError', async () => {
    const pool = make();
    const secret = 42;
    const error = await pool.submit(() => secret, []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReferenceError);
    expect((error as Error).message).toMatch(/secret/);
    expect((error as Error).message).toMatch(/argument/);
  });

  it('throws TypeError at once for a non-function fn and bad options', () => {
    const pool = make();
    expect(() => pool.submit(null as never, [] as never)).toThrow(TypeError);
    expect(() => new ProcessPool({ maxWorkers: 0 })).toThrow(RangeError);
    expect(() => new ProcessPool({ maxWorkers: 1, minWorkers: 2 })).toThrow(/minWorkers/);
    expect(() => new ProcessPool({ serialization: 'xml' as never })).toThrow(/serialization/);
    expect(() => new ProcessPool({ execArgv: 'x' as never })).toThrow(/execArgv/);
    expect(() => new ProcessPool({ initializer: 5 as never })).toThrow(/initializer/);
    expect(() => new ProcessPool({ initArgs: 5 as never })).toThrow(
      /"options.initArgs" property must be an array. Received type number \(5\)/,
    );
    expect(() => new ProcessPool({ initArgs: [() => 1] })).toThrow(DataCloneError);
    expect(() => new ProcessPool({ maxWorkers: 1.5 })).toThrow(RangeError);
    expect(() => new ProcessPool({ concurrentTasksPerChild: 0 })).toThrow(/concurrentTasksPerChild/);
    expect(() => new ProcessPool({ tasksPerMessage: 0 })).toThrow(/tasksPerMessage/);
    expect(() => new ProcessPool({ idleTimeout: -1 })).toThrow(RangeError);
    expect(() => new ProcessPool(5 as never)).toThrow(TypeError);
    expect(() => pool.submit((x: number) => x, 5 as never)).toThrow(/"args" argument must be an array/);
    expect(() => pool.submit((x: number) => x, [1], { signal: 1 as never })).toThrow(
      'The "options.signal" property must be an instance of AbortSignal. Received type number (1)',
    );
    expect(() => pool.submit((x: number) => x, [1], { timeout: -5 })).toThrow(RangeError);
  });
});

describe('values the IPC channel cannot carry', () => {
  const sab = () => new SharedArrayBuffer(8);

  it("fails only the task whose argument Node's IPC refuses (a SharedArrayBuffer), naming the argument", async () => {
    const pool = make({ maxWorkers: 1 });
    const pid = await pool.submit(() => process.pid, []);
    // Submitted in one turn: one batch for the one child.
    const results = await Promise.allSettled([
      pool.submit((x: number) => x + 1, [1]),
      pool.submit((x: number, y: { buf: SharedArrayBuffer }) => x + y.buf.byteLength, [1, { buf: sab() }]),
      pool.submit(async (x: number) => x + 3, [3]),
      pool.submit((x: SharedArrayBuffer) => x.byteLength, [sab()]),
      pool.submit(() => process.pid, []),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    const [, second, , fourth, last] = results;
    const error = (second as PromiseRejectedResult).reason as DataCloneError;
    expect(error).toBeInstanceOf(DataCloneError);
    expect(error.code).toBe('ERR_X_DATA_CLONE');
    expect(error.position).toBe('argument 2');
    expect(error.message).toMatch(/SharedArrayBuffer/);
    expect(((fourth as PromiseRejectedResult).reason as DataCloneError).position).toBe('argument 1');
    expect((last as PromiseFulfilledResult<number>).value).toBe(pid);
  });

  it('does the same when several tasks share one IPC message (tasksPerMessage)', async () => {
    const pool = make({ maxWorkers: 1, tasksPerMessage: 8 });
    const results = await Promise.allSettled([
      pool.submit((x: number) => x, [1]),
      pool.submit((x: unknown) => x, [sab()]),
      pool.submit((x: number) => x, [3]),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(DataCloneError);
  });

  it('a crash after a refused argument still fails only the task that was running, and runs none twice', async () => {
    const pool = make({ maxWorkers: 1 });
    const log = join(mkdtempSync(join(tmpdir(), 'x-pp-')), 'runs.log');
    writeFileSync(log, '');
    const record = fromModule<(n: number, log: string, pad?: unknown) => number>(work, 'record');
    await pool.submit(record, [-1, log]); // the child has loaded the module: the tasks below run synchronously
    const results = await Promise.allSettled(
      [0, 1, 2, 3, 4].map((n) => pool.submit(record, n === 0 ? [n, log, sab()] : [n, log])),
    );
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).name))).toEqual([
      'DataCloneError',
      1,
      'WorkerCrashedError',
      3,
      4,
    ]);
    // Task 2 crashed its child and was not re-run; the refused task 0 never ran.
    expect(readFileSync(log, 'utf8').split('\n').filter(Boolean).map(Number).sort()).toEqual([
      -1, 1, 2, 3, 4,
    ]);
  });

  it('rejects a result the IPC channel refuses with a DataCloneError naming the result; the child survives', async () => {
    const pool = make({ maxWorkers: 1 });
    const pid = await pool.submit(() => process.pid, []);
    const results = await Promise.allSettled([
      pool.submit(() => 1, []),
      pool.submit(() => ({ shared: new SharedArrayBuffer(8) }), []),
      pool.submit(async () => 3, []),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const error = (results[1] as PromiseRejectedResult).reason as DataCloneError;
    expect(error).toBeInstanceOf(DataCloneError);
    expect(error.position).toMatch(/^the result/);
    expect(error.message).toMatch(/SharedArrayBuffer/);
    expect(await pool.submit(() => process.pid, [])).toBe(pid);
  });

  it('rejects a returned function with a DataCloneError naming the result; the child survives', async () => {
    const pool = make({ maxWorkers: 1 });
    const pid = await pool.submit(() => process.pid, []);
    const error = (await pool.submit(() => () => 1, []).catch((e: unknown) => e)) as DataCloneError;
    expect(error).toBeInstanceOf(DataCloneError);
    expect(error.position).toBe('the result');
    expect(await pool.submit(() => process.pid, [])).toBe(pid);
  });

  it("serialization 'json' refuses the arguments JSON would change, failing only those tasks", async () => {
    const pool = make({ maxWorkers: 1, serialization: 'json' });
    const echo = (x: unknown) => x;
    const results = await Promise.allSettled([
      pool.submit(echo, [{ a: [1, 'two', null, { b: true }] }]),
      pool.submit(echo, [10n]),
      pool.submit(echo, [new Map([['k', 1]])]),
      pool.submit((_x: unknown, y: unknown) => y, [1, { when: new Date(0) }]),
      pool.submit(echo, [[1, undefined]]),
      pool.submit(echo, [new Set([1])]),
      pool.submit(echo, [new Uint8Array([1])]),
      pool.submit(echo, [Number.NaN]),
      pool.submit((a: unknown, b: unknown) => [typeof a, b], [undefined, 2]),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'rejected',
      'rejected',
      'rejected',
      'rejected',
      'rejected',
      'rejected',
      'rejected',
      'fulfilled',
    ]);
    expect((results[0] as PromiseFulfilledResult<unknown>).value).toEqual({
      a: [1, 'two', null, { b: true }],
    });
    const positions = results
      .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
      .map((r) => (r.reason as DataCloneError).position);
    expect(positions).toEqual([
      'argument 1',
      'argument 1',
      'argument 2 (at .when)',
      'argument 1 (at [1])',
      'argument 1',
      'argument 1',
      'argument 1',
    ]);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(DataCloneError);
    expect((results[2] as PromiseRejectedResult).reason.message).toMatch(/Map/);
    // A top-level undefined argument arrives as undefined, not null.
    expect((results[8] as PromiseFulfilledResult<unknown>).value).toEqual(['undefined', 2]);
    expect(() => new ProcessPool({ serialization: 'json', initArgs: [new Map()] })).toThrow(DataCloneError);
  });

  it("serialization 'json' refuses results JSON would change; the child survives", async () => {
    const pool = make({ maxWorkers: 1, serialization: 'json' });
    const pid = await pool.submit(() => process.pid, []);
    const results = await Promise.allSettled([
      pool.submit(() => ({ ok: [1, 2] }), []),
      pool.submit(() => new Map([['k', 1]]), []),
      pool.submit(() => 10n, []),
      pool.submit(() => ({ list: [1, undefined] }), []),
      pool.submit(() => () => 1, []),
      pool.submit(async () => ({ when: new Date(0) }), []),
      pool.submit(() => undefined, []),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'rejected',
      'rejected',
      'rejected',
      'rejected',
      'rejected',
      'fulfilled',
    ]);
    expect((results[0] as PromiseFulfilledResult<unknown>).value).toEqual({ ok: [1, 2] });
    const positions = results
      .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
      .map((r) => (r.reason as DataCloneError).position);
    expect(positions).toEqual([
      'the result',
      'the result',
      'the result (at .list[1])',
      'the result',
      'the result (at .when)',
    ]);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(DataCloneError);
    // A task that returns nothing resolves with undefined, not null.
    expect((results[6] as PromiseFulfilledResult<unknown>).value).toBeUndefined();
    expect(await pool.submit(() => process.pid, [])).toBe(pid);
  });
});

describe('options', () => {
  it('maxTasksPerChild replaces a child after that many tasks, losing none', async () => {
    const pool = make({ maxWorkers: 1, maxTasksPerChild: 3 });
    const pids = await Promise.all(
      Array.from({ length: 7 }, (_, i) => pool.submit(async (n: number) => [n, process.pid], [i])),
    );
    expect(pids.map(([n]) => n)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    const byPid = new Map<number, number>();
    for (const [, pid] of pids) byPid.set(pid!, (byPid.get(pid!) ?? 0) + 1);
    expect([...byPid.values()]).toEqual([3, 3, 1]);
  });

  it('idleTimeout: idle children exit, and the next task starts a new one', async () => {
    const pool = make({ maxWorkers: 1, idleTimeout: 100 });
    const pid = await pool.submit(() => process.pid, []);
    expect(pool.workers).toBe(1);
    const deadline = Date.now() + 5000;
    while ((pool.workers > 0 || alive(pid)) && Date.now() < deadline) await delay(20);
    expect(pool.workers).toBe(0);
    expect(alive(pid)).toBe(false);
    const next = await pool.submit(() => process.pid, []);
    expect(next).not.toBe(pid);
  });

  it("env: a child sees the given environment, not the parent's", async () => {
    process.env.X_PROCESS_POOL_PARENT_ONLY = 'parent';
    try {
      const pool = make({ maxWorkers: 1, env: { PATH: process.env.PATH, X_GIVEN: 'given' } });
      const seen = await pool.submit(() => [process.env.X_GIVEN, process.env.X_PROCESS_POOL_PARENT_ONLY], []);
      expect(seen).toEqual(['given', undefined]);
      const inherits = make({ maxWorkers: 1 });
      expect(await inherits.submit(() => process.env.X_PROCESS_POOL_PARENT_ONLY, [])).toBe('parent');
    } finally {
      delete process.env.X_PROCESS_POOL_PARENT_ONLY;
    }
  });

  it('ignores options inherited from a polluted Object.prototype: the children get no env or execArgv from it', async () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.env = { POLLUTED: '1' };
    proto.execArgv = ['--no-deprecation'];
    let pool: ProcessPool;
    try {
      pool = make({ minWorkers: 1, maxWorkers: 1 }); // starts its child now, while polluted
    } finally {
      delete proto.env;
      delete proto.execArgv;
    }
    const [pid] = pool.pids;
    const [polluted, execArgv, answeredBy] = await pool.submit(
      () => [process.env.POLLUTED, process.execArgv, process.pid] as const,
      [],
    );
    expect(polluted).toBeUndefined();
    expect(execArgv).not.toContain('--no-deprecation');
    expect(answeredBy).toBe(pid); // the child started while polluted is the one that answered
  });

  it('map with ordered: false yields in completion order', async () => {
    // One child running the three at once (pipelining): no child start-up time skews the timings.
    const pool = make({ maxWorkers: 1 });
    await pool.submit(() => 0, []);
    const out: number[] = [];
    for await (const ms of pool.map(
      async (t: number) => {
        await new Promise((r) => setTimeout(r, t));
        return t;
      },
      [500, 250, 10],
      { ordered: false },
    ))
      out.push(ms);
    expect(out).toEqual([10, 250, 500]);
  });
});

describe('faults', () => {
  it('a child that exits fails only its task with WorkerCrashedError naming the code, and is replaced', async () => {
    const pool = make();
    const others = [1, 2, 3].map((n) => pool.submit(async (x: number) => x * 10, [n]));
    const error = await pool.submit(() => process.exit(7), []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect(error).toMatchObject({ code: 'ERR_X_WORKER_CRASHED', exitCode: 7 });
    expect((error as Error).message).toMatch(/code 7/);
    expect(await Promise.all(others)).toEqual([10, 20, 30]);
    expect(await pool.submit((x: number) => x + 1, [1])).toBe(2);
  });

  it('a child killed by a signal names the signal', async () => {
    const pool = make();
    const error = await pool.submit(() => process.kill(process.pid, 'SIGKILL'), []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect(error).toMatchObject({ signal: 'SIGKILL' });
    expect((error as Error).message).toMatch(/SIGKILL/);
  });

  it("a child killed from outside names the signal and runs none of the parent's signal handlers", async () => {
    const pool = make({ maxWorkers: 1 });
    let parentHandlerRan = false;
    const onTerm = () => {
      parentHandlerRan = true;
    };
    process.on('SIGTERM', onTerm);
    try {
      const pid = await pool.submit(() => process.pid, []);
      const task = pool
        .submit(async () => new Promise((resolve) => setTimeout(resolve, 10_000)), [])
        .catch((e: unknown) => e);
      await delay(100);
      process.kill(pid, 'SIGTERM');
      const error = await task;
      expect(error).toBeInstanceOf(WorkerCrashedError);
      expect(error).toMatchObject({ signal: 'SIGTERM', exitCode: null });
      expect((error as Error).message).toMatch(/SIGTERM/);
      expect(parentHandlerRan).toBe(false);
      expect(await pool.submit(() => process.pid, [])).not.toBe(pid);
    } finally {
      process.off('SIGTERM', onTerm);
    }
  });

  it("a child does not read the parent's stdin (it sees end-of-file at once)", async () => {
    const pool = make({ maxWorkers: 1 });
    const seen = await pool.submit(
      () =>
        new Promise<string>((resolve) => {
          let bytes = 0;
          process.stdin.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
          });
          process.stdin.on('end', () => resolve(`eof after ${bytes} bytes`));
          process.stdin.on('error', (e) => resolve(`error ${e.message}`));
        }),
      [],
      { timeout: 5000 },
    );
    expect(seen).toBe('eof after 0 bytes');
  });

  it('a child that runs out of heap fails its task and the pool goes on', async () => {
    // In a process of its own, whose stderr is captured: the dying child's V8 report is expected here.
    const { result, stderr } = await runIsolated(`
      const pool = new ProcessPool({ maxWorkers: 2, execArgv: ['--max-old-space-size=32'] });
      const error = await pool
        .submit(() => {
          const hoard = [];
          for (;;) hoard.push(new Array(100_000).fill({ x: 1 }));
        }, [])
        .catch((e) => e);
      const alive = await pool.submit(() => 'alive', []);
      await pool.shutdown();
      return { crashed: error instanceof WorkerCrashedError, exitCode: error.exitCode, signal: error.signal, alive };
    `);
    const r = result as { crashed: boolean; exitCode: number | null; signal: string | null; alive: string };
    expect(r.crashed).toBe(true);
    expect(r.exitCode !== 0 || r.signal !== null).toBe(true);
    expect(r.alive).toBe('alive');
    // The child's own diagnostic reaches the parent's stderr (children share it), and nothing hid it.
    expect(stderr).toMatch(/heap limit|out of memory/i);
  }, 30_000);

  it('a timeout kills a child stuck in an infinite loop and replaces it', async () => {
    const pool = make({ maxWorkers: 1 });
    const pid = await pool.submit(() => process.pid, []);
    const error = await pool
      .submit(
        () => {
          for (;;);
        },
        [],
        { timeout: 100 },
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    const next = await pool.submit(() => process.pid, []);
    expect(next).not.toBe(pid);
    await delay(50);
    expect(alive(pid)).toBe(false);
  });

  it('an abort kills a running child and cancels a queued task before it starts', async () => {
    const pool = make({ maxWorkers: 1 });
    const controller = new AbortController();
    const reason = new Error('user left');
    const running = pool.submit(
      () => {
        for (;;);
      },
      [],
      { signal: controller.signal },
    );
    const queued = pool.submit(() => 'should not run', [], { signal: controller.signal });
    await delay(100);
    controller.abort(reason);
    await expect(running).rejects.toBe(reason);
    await expect(queued).rejects.toBe(reason);
    expect(await pool.submit(() => 'next', [])).toBe('next');
  });

  it('with several tasks in flight on a child, a crash fails only the task that caused it', async () => {
    const pool = make({ maxWorkers: 1, concurrentTasksPerChild: 8 });
    const job = async (n: number) => {
      if (n === 2) process.exit(5);
      return n * 10;
    };
    const results = await Promise.allSettled([0, 1, 2, 3, 4, 5].map((n) => pool.submit(job, [n])));
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).name))).toEqual([
      0,
      10,
      'WorkerCrashedError',
      30,
      40,
      50,
    ]);
  });

  it('aborting a stuck task among several in flight kills its child; the others run elsewhere', async () => {
    const pool = make({ maxWorkers: 1, concurrentTasksPerChild: 8 });
    const controller = new AbortController();
    const job = (n: number) => {
      if (n === 1) for (;;);
      return n;
    };
    const tasks = [0, 1, 2, 3].map((n) =>
      pool.submit(job, [n], n === 1 ? { signal: controller.signal } : undefined),
    );
    const first = await tasks[0];
    controller.abort(new Error('enough'));
    const rest = await Promise.allSettled(tasks.slice(1));
    expect([
      first,
      ...rest.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)),
    ]).toEqual([0, 'enough', 2, 3]);
  });

  it('a timeout also kills a child stuck after an await (in an async continuation)', async () => {
    const pool = make({ maxWorkers: 1 });
    const pid = await pool.submit(() => process.pid, []);
    const error = await pool
      .submit(
        async () => {
          await new Promise((r) => setTimeout(r, 10));
          for (;;);
        },
        [],
        { timeout: 200 },
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(await pool.submit(() => process.pid, [])).not.toBe(pid);
    await delay(50);
    expect(alive(pid)).toBe(false);
  });

  it('runs the initializer once per child before its tasks', async () => {
    const pool = make({
      maxWorkers: 1,
      initializer: fromModule(work, 'openConnection'),
      initArgs: ['primary'],
    });
    const info = fromModule<() => { name: string; connections: number }>(work, 'connectionInfo');
    await pool.submit(info, []);
    expect(await pool.submit(info, [])).toMatchObject({ name: 'primary', connections: 1 });
  });

  it('an initializer that always throws fails the tasks with InitializerError as cause, without a respawn storm', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'x-pp-')), 'spawns.txt');
    writeFileSync(log, '');
    // The first failures are reported as warnings: captured, they are expected here (and asserted below).
    const warnings: string[] = [];
    const emitWarning = vi.spyOn(process, 'emitWarning').mockImplementation((w: string | Error) => {
      warnings.push(typeof w === 'string' ? w : w.message);
    });
    const pool = make({ maxWorkers: 1, initializer: fromModule(work, 'failingInitLogged'), initArgs: [log] });
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => pool.submit(() => 1, [])));
    emitWarning.mockRestore();
    expect(warnings.length).toBeLessThanOrEqual(2);
    for (const w of warnings) expect(w).toMatch(/failed to start and was replaced: InitializerError/);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      const error = (r as PromiseRejectedResult).reason as WorkerCrashedError;
      expect(error).toBeInstanceOf(WorkerCrashedError);
      expect(error.cause).toBeInstanceOf(InitializerError);
      expect(error.cause).toMatchObject({ code: 'ERR_X_INITIALIZER' });
      expect((error.cause as InitializerError).cause).toMatchObject({
        name: 'TypeError',
        message: 'database unreachable',
      });
    }
    // Three children tried, then the queued tasks failed: not one child per task.
    expect(spawns(log)).toBeLessThanOrEqual(3);
    await delay(300);
    expect(spawns(log)).toBeLessThanOrEqual(3);
    expect(pool.workers).toBe(0);
  });

  it('with minWorkers, a failing initializer backs off instead of forking in a loop', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'x-pp-')), 'spawns.txt');
    writeFileSync(log, '');
    // Captured rather than printed: these warnings are what the test expects, not noise in a green run.
    const warnings: string[] = [];
    const emitWarning = vi
      .spyOn(process, 'emitWarning')
      .mockImplementation((_w: string | Error, options?: unknown) => {
        warnings.push((options as { code?: string } | undefined)?.code ?? '');
      });
    try {
      make({ minWorkers: 2, initializer: fromModule(work, 'failingInitLogged'), initArgs: [log] });
      await delay(1500);
      const early = spawns(log);
      await delay(1500);
      // Unchecked, two slots re-forking every ~100-300 ms would add 10+ children in this window.
      expect(spawns(log) - early).toBeLessThanOrEqual(3);
      expect(early).toBeGreaterThanOrEqual(2);
      expect(warnings).toContain('ERR_X_WORKER_CRASHED');
    } finally {
      emitWarning.mockRestore();
    }
  }, 20_000);

  it('children that cannot start (bad execArgv) fail the tasks with a clear cause instead of looping', async () => {
    // In a process of its own, whose stderr is captured: Node's refusal of the flag is expected here.
    const { result, stderr } = await runIsolated(`
      const pool = new ProcessPool({ maxWorkers: 1, execArgv: ['--no-such-node-flag'] });
      const error = await pool.submit(() => 1, []).catch((e) => e);
      await new Promise((r) => setTimeout(r, 300));
      const workers = pool.workers;
      await pool.shutdown();
      return { crashed: error instanceof WorkerCrashedError, exitCode: error.exitCode, cause: error.cause?.message, workers };
    `);
    const r = result as { crashed: boolean; exitCode: number; cause: string; workers: number };
    expect(r.crashed).toBe(true);
    expect(r.exitCode).toBe(9);
    expect(r.cause).toMatch(/before it was ready.*execArgv/);
    expect(r.workers).toBe(0);
    expect(stderr).toMatch(/bad option: --no-such-node-flag/);
  }, 30_000);

  it('settles 5,000 tasks with random failures and crashes on 2 children exactly once each', async () => {
    const pool = make({ maxWorkers: 2 });
    const N = 5000;
    const settled = new Array<number>(N).fill(0);
    // A seeded pseudo-random plan: ~10% throw, 5 tasks kill their child.
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const plan: string[] = Array.from({ length: N }, () => (random() < 0.1 ? 'throw' : 'ok'));
    for (const i of [700, 1900, 2600, 3300, 4800]) plan[i] = 'crash';
    const outcomes = await Promise.all(
      plan.map((kind, i) =>
        pool
          .submit(
            (n: number, what: string) => {
              if (what === 'crash') process.exit(3);
              if (what === 'throw') throw new Error(`task ${n} failed`);
              return n * 2;
            },
            [i, kind],
          )
          .then(
            (v) => {
              settled[i]!++;
              return v === i * 2 ? 'ok' : `wrong value ${v}`;
            },
            (e: Error) => {
              settled[i]!++;
              if (e instanceof WorkerCrashedError) return e.exitCode === 3 ? 'crash' : `crash ${e.exitCode}`;
              return e.message === `task ${i} failed` ? 'throw' : `wrong error ${e.message}`;
            },
          ),
      ),
    );
    expect(settled.every((n) => n === 1)).toBe(true);
    expect(outcomes).toEqual(plan);
    expect(pool.pending).toBe(0);
  }, 60_000);
});

describe('ProcessPool.map', () => {
  it("yields results in input order, with chunking like Python's chunksize", async () => {
    const pool = make();
    const items = Array.from({ length: 100 }, (_, i) => i);
    const out: number[] = [];
    for await (const v of pool.map((n: number) => n * n, items, { chunkSize: 16 })) out.push(v);
    expect(out).toEqual(items.map((n) => n * n));
    const plain: number[] = [];
    for await (const v of pool.map((n: number) => n + 1, [1, 2, 3])) plain.push(v);
    expect(plain).toEqual([2, 3, 4]);
  });

  it('throws the first failure from the loop', async () => {
    const pool = make();
    const run = async () => {
      for await (const _ of pool.map(
        (n: number) => {
          if (n === 5) throw new Error('five');
          return n;
        },
        Array.from({ length: 20 }, (_, i) => i),
        { chunkSize: 4 },
      ));
    };
    await expect(run()).rejects.toThrow('five');
  });

  it('rejects a bad chunkSize, fn or iterable at the call', () => {
    const pool = make();
    expect(() => pool.map((n: number) => n, [1], { chunkSize: 0 })).toThrow(RangeError);
    expect(() => pool.map((n: number) => n, 5 as never, { chunkSize: 2 })).toThrow(
      /"items" argument must be an iterable.*Received type number \(5\)/,
    );
    expect(() => pool.map('nope' as unknown as (n: number) => number, [1], { chunkSize: 2 })).toThrow(
      TypeError,
    );
  });

  it('keeps many tasks in flight without a MaxListenersExceededWarning', async () => {
    const pool = make({ maxWorkers: 2 });
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      let total = 0;
      for await (const v of pool.map(
        (n: number) => n,
        Array.from({ length: 200 }, (_, i) => i),
        { concurrency: 50 },
      ))
        total += v;
      expect(total).toBe(199 * 100);
      await delay(10);
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });
});

describe('shutdown', () => {
  it('waits for pending work by default', async () => {
    const pool = make({ maxWorkers: 1 });
    const tasks = [1, 2, 3].map((n) => pool.submit(async (x: number) => x, [n]));
    await pool.shutdown();
    expect(await Promise.all(tasks)).toEqual([1, 2, 3]);
  });

  it('cancels queued work with cancelPending and refuses new submits', async () => {
    const pool = make({ maxWorkers: 1 });
    await pool.submit(() => 0, []); // the child is up: what is sent next starts at once
    const first = pool.submit(async () => {
      await new Promise((r) => setTimeout(r, 100));
      return 'first';
    }, []);
    await delay(20);
    const queued = pool.submit(() => 'queued', []).catch((e: unknown) => e);
    await pool.shutdown({ cancelPending: true });
    expect(await first).toBe('first');
    expect(await queued).toBeInstanceOf(AbortError);
    await expect(pool.submit(() => 1, [])).rejects.toBeInstanceOf(PoolClosedError);
  });

  it('cancelPending also drops tasks already sent to a child but not started (default: 8 per child)', async () => {
    const pool = make({ maxWorkers: 1 });
    const block = (ms: number) => {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
      return ms;
    };
    await pool.submit(block, [0]);
    const outcomes = Array.from({ length: 8 }, () => pool.submit(block, [60]).catch((e: unknown) => e));
    await delay(20); // the first is running, the other seven were sent with it
    await pool.shutdown({ cancelPending: true });
    const settled = await Promise.all(outcomes);
    const ran = settled.filter((o) => o === 60).length;
    const cancelled = settled.filter((o) => o instanceof AbortError);
    expect(ran).toBe(1); // the running one: none of those sent with it starts after the shutdown call
    expect(cancelled).toHaveLength(8 - ran);
    for (const error of cancelled) expect((error as AbortError).cause).toBeInstanceOf(PoolClosedError);
  });

  it('cancelPending reaches tasks queued in a child that is busy in synchronous code', async () => {
    const pool = make({ maxWorkers: 1, concurrentTasksPerChild: 4 });
    await pool.submit(() => 0, []);
    const busy = (ms: number, tag: string) => {
      const end = Date.now() + ms;
      while (Date.now() < end);
      return tag;
    };
    // A holds the child; B, C, D were sent with it and wait in the child, which reads the cancellation
    // only once A lets go of the thread.
    const outcomes = ['A', 'B', 'C', 'D'].map((tag) =>
      pool.submit(busy, [tag === 'A' ? 300 : 10, tag]).catch((e: unknown) => e),
    );
    await delay(50);
    await pool.shutdown({ cancelPending: true });
    const settled = await Promise.all(outcomes);
    expect(settled[0]).toBe('A');
    for (const outcome of settled.slice(1)) expect(outcome).toBeInstanceOf(AbortError);
  });

  it('wait: false returns at once, and accepted tasks still settle', async () => {
    const pool = make({ maxWorkers: 1 });
    const slow = pool.submit(async () => {
      await new Promise((r) => setTimeout(r, 300));
      return 'slow';
    }, []);
    const queued = pool.submit(() => 'queued', []);
    const t0 = performance.now();
    await pool.shutdown({ wait: false });
    expect(performance.now() - t0).toBeLessThan(100);
    await expect(pool.submit(() => 1, [])).rejects.toBeInstanceOf(PoolClosedError);
    expect(await Promise.all([slow, queued])).toEqual(['slow', 'queued']);
  });

  it('await using shuts the pool down at the end of the block (Symbol.asyncDispose)', async () => {
    let pid: number;
    let task: Promise<string>;
    let outside: ProcessPool;
    {
      await using pool = new ProcessPool({ maxWorkers: 1 });
      expect(typeof pool[Symbol.asyncDispose]).toBe('function');
      pid = await pool.submit(() => process.pid, []);
      task = pool.submit(async () => {
        await new Promise((r) => setTimeout(r, 100));
        return 'done';
      }, []);
      outside = pool;
    }
    // Disposal waited for the accepted task, then stopped the child.
    expect(await Promise.race([task, 'not settled'])).toBe('done');
    expect(outside.workers).toBe(0);
    await expect(outside.submit(() => 1, [])).rejects.toBeInstanceOf(PoolClosedError);
    expect(alive(pid)).toBe(false);
  });

  it('rejects with QueueFullError past maxQueue', async () => {
    const pool = make({ maxWorkers: 1, maxQueue: 1, concurrentTasksPerChild: 1 });
    const a = pool.submit(async () => new Promise((r) => setTimeout(r, 50)), []);
    await delay(20);
    const b = pool.submit(() => 1, []);
    await expect(pool.submit(() => 2, [])).rejects.toBeInstanceOf(QueueFullError);
    await Promise.all([a, b]);
  });

  it('leaves no orphan process, and a script exits promptly after shutdown', async () => {
    const script = `
      import { ProcessPool } from '@x/process-pool';
      const pool = new ProcessPool({ maxWorkers: 2, minWorkers: 2 });
      await Promise.all([1, 2].map((n) => pool.submit((x) => x, [n])));
      console.log(JSON.stringify(pool.pids));
      await pool.shutdown();
    `;
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: new URL('..', import.meta.url),
      encoding: 'utf8',
      timeout: 20_000,
    });
    const elapsed = performance.now() - t0;
    expect(r.status).toBe(0);
    const pids = JSON.parse(r.stdout.trim()) as number[];
    expect(pids).toHaveLength(2);
    expect(elapsed).toBeLessThan(3_000);
    await delay(100);
    for (const pid of pids) expect(alive(pid)).toBe(false);
  });

  it('children exit on their own when the parent is killed with SIGKILL', async () => {
    const script = `
      import { ProcessPool } from '@x/process-pool';
      const pool = new ProcessPool({ maxWorkers: 2, minWorkers: 2 });
      await Promise.all([1, 2].map((n) => pool.submit((x) => x, [n])));
      console.log(JSON.stringify(pool.pids));
      setInterval(() => {}, 1000);
    `;
    const parent = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: new URL('..', import.meta.url),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      parent.stdout!.on('data', (chunk: Buffer) => {
        out += chunk;
        if (out.includes('\n')) resolve(out.trim());
      });
      parent.on('exit', () => reject(new Error(`parent exited early: ${out}`)));
    });
    const pids = JSON.parse(line) as number[];
    expect(pids).toHaveLength(2);
    expect(pids.every(alive)).toBe(true);
    parent.kill('SIGKILL');
    const deadline = Date.now() + 5000;
    while (pids.some(alive) && Date.now() < deadline) await delay(50);
    expect(pids.filter(alive)).toEqual([]);
  });

  it("passes a child's stdout and stderr through to the parent's, unprefixed", () => {
    const script = `
      import { ProcessPool } from '@x/process-pool';
      const pool = new ProcessPool({ maxWorkers: 1 });
      await pool.submit(() => { console.log('hello from the child'); console.error('oops from the child'); }, []);
      await pool.shutdown();
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: new URL('..', import.meta.url),
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('hello from the child\n');
    expect(r.stderr).toContain('oops from the child\n');
  });

  it('an idle pool does not keep a script alive even without shutdown', () => {
    const script = `
      import { ProcessPool } from '@x/process-pool';
      const pool = new ProcessPool({ maxWorkers: 1 });
      console.log(await pool.submit((x) => x * 2, [21]));
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: new URL('..', import.meta.url),
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('42');
  });
});
