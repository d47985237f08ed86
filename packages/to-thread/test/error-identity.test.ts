// Error identity across packages and bundled copies: every @x error class answers `instanceof` by a brand
// keyed by its stable `code` (packages/internal/src/error-brand.ts), so a pool's TimeoutError is @x/timeout's
// TimeoutError, and a second copy of a package (ESM next to CJS, or another version in node_modules) agrees.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as executor from '@x/executor';
import * as gather from '@x/gather';
import * as locks from '@x/locks';
import * as processPool from '@x/process-pool';
import * as queue from '@x/queue';
import * as syncBridge from '@x/sync-bridge';
import * as task from '@x/task';
import * as timeout from '@x/timeout';
import * as toThread from '@x/to-thread';
import { describe, expect, it } from 'vitest';
import { poolPerTest, trapUnhandledRejections } from './helpers.js';

trapUnhandledRejections();
const make = poolPerTest();

const packages = { executor, gather, locks, processPool, queue, syncBridge, task, timeout, toThread };

/** Every exported class of every package whose instances are errors. */
const errorClasses = Object.entries(packages).flatMap(([pkg, exports]) =>
  Object.entries(exports as Record<string, unknown>)
    .filter(
      ([, value]) =>
        typeof value === 'function' && (value as { prototype?: unknown }).prototype instanceof Error,
    )
    .map(([name, value]) => ({ id: `${pkg}.${name}`, ctor: value as new (...args: never[]) => Error })),
);

describe('error identity across @x packages', () => {
  it('brands every exported error class of every package', () => {
    expect(errorClasses.length).toBeGreaterThanOrEqual(20);
    const unbranded = errorClasses
      .filter(({ ctor }) => !Object.hasOwn(ctor, Symbol.for('@x/error-class-brand')))
      .map(({ id }) => id);
    expect(unbranded).toEqual([]);
  });

  it('keeps each class its own name through bundling (what stack traces, inspect and error transport show)', () => {
    const renamed = errorClasses
      .filter(({ id, ctor }) => ctor.name !== id.split('.')[1])
      .map(({ id, ctor }) => `${id} is named ${ctor.name}`);
    expect(renamed).toEqual([]);
  });

  it('makes a pool timeout an instance of @x/timeout TimeoutError, and a withTimeout one of the pool TimeoutError', async () => {
    const pool = make({ maxThreads: 1 });
    const fromPool = await pool
      .submit(() => new Promise((resolve) => setTimeout(resolve, 10_000)), [], { timeout: 50 })
      .catch((error: unknown) => error);
    expect(fromPool).toBeInstanceOf(toThread.TimeoutError);
    expect(fromPool).toBeInstanceOf(timeout.TimeoutError);
    expect(fromPool).toBeInstanceOf(Error);
    expect((fromPool as timeout.TimeoutError).ms).toBe(50);

    const fromWithTimeout = await timeout
      .withTimeout(10, (signal) => timeout.sleep(10_000, { signal }))
      .catch((error: unknown) => error);
    expect(fromWithTimeout).toBeInstanceOf(timeout.TimeoutError);
    expect(fromWithTimeout).toBeInstanceOf(toThread.TimeoutError);
    expect(fromWithTimeout).toBeInstanceOf(processPool.TimeoutError);
    expect(fromWithTimeout).toBeInstanceOf(syncBridge.TimeoutError);
    expect((fromWithTimeout as toThread.TimeoutError).timeout).toBe(10);
  });

  it('keeps the identity of an @x error thrown inside a thread', async () => {
    const timeoutModule = pathToFileURL(createRequire(import.meta.url).resolve('@x/timeout')).href;
    const error = await toThread
      .toThread(async (url: string) => {
        const { TimeoutError } = await import(url);
        throw new TimeoutError(25);
      }, timeoutModule)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(timeout.TimeoutError);
    expect(error).toBeInstanceOf(toThread.TimeoutError);
    expect(error).toMatchObject({ name: 'TimeoutError', code: 'ERR_X_TIMEOUT', ms: 25 });
  });

  it('makes AbortError one class in gather, task, timeout and the pools', async () => {
    const classes = [gather.AbortError, task.AbortError, timeout.AbortError, toThread.AbortError];
    const t = task.createTask((signal) => timeout.sleep(10_000, { signal }));
    t.cancel();
    const fromTask = await Promise.resolve(t).catch((error: unknown) => error);
    const pool = make({ maxThreads: 1 });
    const queued = pool.submit(() => 1, []).catch((error: unknown) => error);
    await pool.shutdown({ cancelPending: true }); // no thread was ready: the task never started
    const fromPool = await queued;
    for (const error of [fromTask, fromPool, new gather.AbortError(), new timeout.AbortError()]) {
      for (const AbortError of classes) expect(error).toBeInstanceOf(AbortError);
    }
  });

  it('keeps classes with different codes apart', () => {
    const timedOut = new timeout.TimeoutError(1);
    expect(timedOut instanceof toThread.AbortError).toBe(false);
    expect(timedOut instanceof executor.WorkerCrashedError).toBe(false);
    expect(new task.InvalidStateError('x') instanceof timeout.TimeoutError).toBe(false);
    // Same name and code, but not created by an @x class: not an instance.
    const lookalike = Object.assign(new Error('late'), { name: 'TimeoutError', code: 'ERR_X_TIMEOUT' });
    expect(lookalike instanceof timeout.TimeoutError).toBe(false);
    expect(lookalike instanceof toThread.TimeoutError).toBe(false);
  });

  it('keeps built-in bases: CapturedVariableError is a ReferenceError, TaskGroupError an AggregateError', () => {
    expect(new executor.CapturedVariableError('n')).toBeInstanceOf(ReferenceError);
    expect(new task.TaskGroupError([new Error('x')])).toBeInstanceOf(AggregateError);
    expect(new ReferenceError('n is not defined') instanceof executor.CapturedVariableError).toBe(false);
  });

  it('agrees across bundled copies: ESM and CJS builds, and a second copy of a package elsewhere on disk', () => {
    // A plain Node process, so each copy really is a separate module instance (no test-runner module graph).
    const second = fs.mkdtempSync(path.join(os.tmpdir(), 'x-error-identity-'));
    try {
      const timeoutDir = path.dirname(createRequire(import.meta.url).resolve('@x/timeout/package.json'));
      fs.cpSync(path.join(timeoutDir, 'dist'), path.join(second, 'dist'), { recursive: true });
      fs.copyFileSync(path.join(timeoutDir, 'package.json'), path.join(second, 'package.json'));
      const script = `
        import { createRequire } from 'node:module';
        import { pathToFileURL } from 'node:url';
        const require = createRequire(${JSON.stringify(path.join(import.meta.dirname, 'x.js'))});
        const esm = await import('@x/timeout');
        const cjs = require('@x/timeout');
        const copy = await import(pathToFileURL(${JSON.stringify(path.join(second, 'dist', 'index.js'))}).href);
        const copyCjs = require(${JSON.stringify(path.join(second, 'dist', 'index.cjs'))});
        const pool = require('@x/to-thread');
        const copies = [esm, cjs, copy, copyCjs];
        const out = {
          distinct: new Set(copies.map((m) => m.TimeoutError)).size,
          timeout: copies.flatMap((a) => copies.map((b) => new a.TimeoutError(1) instanceof b.TimeoutError)),
          abort: copies.flatMap((a) => copies.map((b) => new a.AbortError() instanceof b.AbortError)),
          poolToCopies: copies.map((m) => new pool.TimeoutError(1) instanceof m.TimeoutError),
          copiesToPool: copies.map((m) => new m.TimeoutError(1) instanceof pool.TimeoutError),
          crossed: copies.map((m) => new m.TimeoutError(1) instanceof pool.AbortError),
        };
        console.log(JSON.stringify(out));
      `;
      const out = JSON.parse(
        execFileSync(process.execPath, ['--input-type=module', '-e', script], {
          cwd: import.meta.dirname,
          encoding: 'utf8',
        }),
      );
      expect(out.distinct).toBe(4);
      expect(out.timeout).toEqual(Array(16).fill(true));
      expect(out.abort).toEqual(Array(16).fill(true));
      expect(out.poolToCopies).toEqual(Array(4).fill(true));
      expect(out.copiesToPool).toEqual(Array(4).fill(true));
      expect(out.crossed).toEqual(Array(4).fill(false));
    } finally {
      fs.rmSync(second, { recursive: true, force: true });
    }
  });
});
