import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  createSyncFunction,
  DataCloneError,
  fromModule,
  ReentrantCallError,
  runSync,
  SyncBridge,
} from '@x/sync-bridge';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { thrown, trapUnhandledRejections } from './helpers.js';

trapUnhandledRejections();

const work = new URL('./fixtures/work.mjs', import.meta.url);

describe('runSync', () => {
  it('returns the value of an async function synchronously, with its arguments', () => {
    const value = runSync(
      async (a: number, b: { n: number }) => {
        await new Promise((resolve) => setTimeout(resolve, 10));
        return { sum: a + b.n, at: new Date(0) };
      },
      1,
      { n: 2 },
    );
    expect(value).toEqual({ sum: 3, at: new Date(0) });
    expectTypeOf(value).toEqualTypeOf<{ sum: number; at: Date }>();
  });

  it('types the arguments and the result from the function', () => {
    const n = runSync(async (a: number, b: string) => a + b.length, 1, 'ab');
    expectTypeOf(n).toEqualTypeOf<number>();
    expect(n).toBe(3);
    // Checked by the type checker (tsc), never run.
    const wrong = () =>
      // @ts-expect-error the second argument must be a string
      runSync(async (a: number, b: string) => a + b.length, 1, 2);
    expectTypeOf(wrong).toBeFunction();
  });

  it('runs a synchronous function too', () => {
    expect(runSync((s: string) => s.toUpperCase(), 'abc')).toBe('ABC');
  });

  it('runs in another thread whose state persists between calls', () => {
    const first = runSync(async () => {
      const { threadId } = await import('node:worker_threads');
      const g = globalThis as { calls?: number };
      g.calls = (g.calls ?? 0) + 1;
      return { threadId, calls: g.calls };
    });
    const second = runSync(() => (globalThis as { calls?: number }).calls);
    expect(first.threadId).not.toBe(0);
    expect(second).toBe(first.calls);
  });

  it('throws the remote error synchronously with its class, message, remote stack, cause and code', () => {
    const error = thrown(() =>
      runSync(async function failing() {
        const cause = new Error('disk on fire');
        throw Object.assign(new RangeError('value out of range', { cause }), { code: 'E_RANGE' });
      }),
    );
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toBe('value out of range');
    expect(error.code).toBe('E_RANGE');
    expect(error.cause).toBeInstanceOf(Error);
    expect(error.cause.message).toBe('disk on fire');
    expect(error.stack).toContain('failing');
  });

  it('keeps the name of a custom error class', () => {
    const error = thrown(() =>
      runSync(async () => {
        class ValidationError extends Error {
          override name = 'ValidationError';
        }
        throw new ValidationError('bad input');
      }),
    );
    expect(error.name).toBe('ValidationError');
    expect(error.message).toBe('bad input');
  });

  it.each([
    [null, 'Received null'],
    [undefined, 'Received undefined'],
    [42, 'Received type number (42)'],
    ['async () => 1', "Received type string ('async () => 1')"],
  ])('throws a TypeError naming "fn" for %s', (fn, received) => {
    const error = thrown(() => (runSync as (fn: unknown) => unknown)(fn));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toContain('The "fn" argument must be a function');
    expect(error.message).toContain(received);
  });

  it('explains a variable captured from the caller instead of a bare ReferenceError', () => {
    const secret = 41;
    const error = thrown(() => runSync(async () => secret + 1));
    expect(error).toBeInstanceOf(ReferenceError);
    expect(error.code).toBe('ERR_X_CAPTURED_VARIABLE');
    expect(error.message).toContain('secret');
    expect(error.message).toContain('argument');
  });

  it('refuses an argument it cannot clone before running anything, naming it', () => {
    const error = thrown(() => runSync(async (_a: number, _b: unknown) => 1, 1, { f() {} }));
    expect(error).toBeInstanceOf(DataCloneError);
    expect(error.code).toBe('ERR_X_DATA_CLONE');
    expect(error.message).toContain('argument 2');
    expect(runSync(async () => 'still healthy')).toBe('still healthy');
  });

  it('reports a result it cannot clone as a DataCloneError naming the result', () => {
    const error = thrown(() => runSync(async () => ({ ok: 1, callback: () => 1 })));
    expect(error).toBeInstanceOf(DataCloneError);
    expect(error.message).toContain('the result');
    expect(runSync(async () => 2)).toBe(2);
  });

  it('refuses to run inside a bridged function instead of deadlocking', () => {
    const self = import.meta.resolve('@x/sync-bridge');
    const error = thrown(() =>
      runSync(async (url: string) => {
        const { runSync: inner } = (await import(url)) as typeof import('@x/sync-bridge');
        return inner(async () => 1);
      }, self),
    );
    expect(error.name).toBe('ReentrantCallError');
    expect(error.code).toBe('ERR_X_REENTRANT_CALL');
    expect(new ReentrantCallError().code).toBe(error.code);
    expect(runSync(async () => 'no deadlock')).toBe('no deadlock');
  });

  it('works inside async code on the main thread, blocking its event loop by design', async () => {
    await Promise.resolve();
    let timerFired = false;
    const timer = setTimeout(() => {
      timerFired = true;
    }, 0);
    const value = runSync(async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return 'done';
    });
    // The caller's own event loop did not run during the call: its timer could not fire.
    expect(timerFired).toBe(false);
    expect(value).toBe('done');
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(timerFired).toBe(true);
    clearTimeout(timer);
  });

  it('works when called from inside a worker_threads worker', async () => {
    const worker = new Worker(fileURLToPath(new URL('./fixtures/in-worker.cjs', import.meta.url)));
    const [message] = (await Promise.all([
      new Promise((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      }),
    ])) as [{ sum: number; chunks: string[] }];
    expect(message).toEqual({ sum: 42, chunks: ['a', 'b'] });
    const code = await new Promise((resolve) => worker.once('exit', resolve));
    // The worker exited by itself: its bridge did not keep it alive.
    expect(code).toBe(0);
  }, 30_000);
});

describe('createSyncFunction', () => {
  it('makes a typed synchronous function from a module export', () => {
    const add = createSyncFunction(fromModule<typeof import('./fixtures/work.mjs')['add']>(work, 'add'));
    expectTypeOf(add).toEqualTypeOf<(a: number, b: number) => number>();
    expect(add(2, 3)).toBe(5);
    const readText = createSyncFunction(
      fromModule<typeof import('./fixtures/work.mjs')['readText']>(work, 'readText'),
    );
    expect(readText(fileURLToPath(work))).toContain('export async function add');
  });

  it('runs on the given bridge', () => {
    using bridge = new SyncBridge();
    const threadOf = createSyncFunction(async () => (await import('node:worker_threads')).threadId, {
      bridge,
    });
    const defaultThread = runSync(async () => (await import('node:worker_threads')).threadId);
    expect(threadOf()).not.toBe(defaultThread);
  });

  it('reports a missing export when called, and the bridge stays usable', () => {
    const missing = createSyncFunction(fromModule(work, 'nope'));
    const error = thrown(() => missing());
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toContain('no export named "nope"');
    const notFn = createSyncFunction(fromModule(work, 'notAFunction'));
    expect(thrown(() => notFn()).message).toContain('is not a function');
  });

  it('retries a module that failed to load on the next call (the worker did not keep the failure)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sync-bridge-'));
    try {
      const file = join(dir, 'late.mjs');
      const late = createSyncFunction(fromModule<() => Promise<string>>(file, 'hello'));
      expect(thrown(() => late()).message).toMatch(/Cannot find module|ERR_MODULE_NOT_FOUND|late\.mjs/);
      writeFileSync(file, 'export async function hello() { return "hi"; }\n');
      expect(late()).toBe('hi');
      expect(late()).toBe('hi');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('throws a TypeError at once for bad input', () => {
    expect(thrown(() => createSyncFunction(null as never)).message).toContain('The "fn" argument');
    expect(thrown(() => createSyncFunction(async () => 1, 5 as never)).message).toMatch(
      /The "options" argument must be of type object\. Received type number \(5\)/,
    );
    expect(thrown(() => createSyncFunction(async () => 1, { bridge: {} as never })).message).toMatch(
      /The "options.bridge" property must be an instance of SyncBridge\. Received an instance of Object/,
    );
  });
});
