import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { threadId } from 'node:worker_threads';
import { CapturedVariableError } from '@x/executor';
import { DataCloneError, defaultThreadPool, fromModule, toThread } from '@x/to-thread';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { trapUnhandledRejections } from './helpers.js';

const require = createRequire(import.meta.url);
const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);
trapUnhandledRejections();

const run = (args: string[], cwd = fileURLToPath(new URL('.', import.meta.url))) =>
  new Promise<{ code: number | null; stdout: string; stderr: string; ms: number }>((resolve) => {
    const t0 = performance.now();
    const child = execFile(process.execPath, args, { cwd, timeout: 15_000 }, (_error, stdout, stderr) =>
      resolve({ code: child.exitCode, stdout, stderr, ms: performance.now() - t0 }),
    );
  });

describe('toThread', () => {
  it('runs a self-contained function with its arguments in another thread', async () => {
    const result = await toThread(
      async (a: number, b: number) => {
        const { threadId } = await import('node:worker_threads');
        return { sum: a + b, threadId };
      },
      2,
      3,
    );
    expect(result.sum).toBe(5);
    expect(result.threadId).not.toBe(threadId);
    expectTypeOf(result).toEqualTypeOf<{ sum: number; threadId: number }>();
  });

  it('runs a module function, typed by its export', async () => {
    const fib = fromModule<typeof import('./fixtures/work.mjs')['fib']>(fixture('work.mjs'), 'fib');
    const value = await toThread(fib, 20);
    expect(value).toBe(6765);
    expectTypeOf(toThread(fib, 20)).toEqualTypeOf<Promise<number>>();
    const typed = fromModule<(n: number) => number>(fixture('work.mjs'), 'fib');
    expectTypeOf(toThread(typed, 1)).toEqualTypeOf<Promise<number>>();
  });

  it('gives inline functions require(), resolving from the working directory', async () => {
    const size = await toThread((text: string) => require('node:zlib').gzipSync(text).length > 0, 'abc');
    expect(size).toBe(true);
  });

  it('throws a TypeError synchronously for a fn that is not a function', () => {
    expect(() => toThread(42 as unknown as () => number)).toThrow(
      'The "fn" argument must be a function or a module function made by fromModule(). Received type number (42)',
    );
    expect(() => toThread(Math.max as unknown as () => number)).toThrow(/native or bound/);
  });

  it('explains a variable captured from the caller scope', async () => {
    const factor = 3;
    const error = await toThread((n: number) => n * factor, 2).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReferenceError);
    expect(error).toMatchObject({
      name: 'ReferenceError',
      code: 'ERR_X_CAPTURED_VARIABLE',
      identifier: 'factor',
    });
    expect((error as Error).message).toMatch(
      /runs in another thread or process.*pass "factor" as an argument/,
    );
    expect(error).toBeInstanceOf(CapturedVariableError);
  });

  it('keeps the class, name, code, cause and remote stack of an error thrown in the thread', async () => {
    const error = (await toThread(() => {
      class QuotaError extends RangeError {
        override name = 'QuotaError';
        code = 'E_QUOTA';
        limit = 10;
      }
      throw new QuotaError('over quota', { cause: Object.assign(new Error('db'), { code: 'E_DB' }) });
    }).catch((e: unknown) => e)) as RangeError & {
      code: string;
      limit: number;
      cause: Error & { code: string };
    };
    expect(error).toBeInstanceOf(RangeError);
    expect(error.name).toBe('QuotaError');
    expect(error.code).toBe('E_QUOTA');
    expect(error.limit).toBe(10);
    expect(error.message).toBe('over quota');
    expect(error.cause).toBeInstanceOf(Error);
    expect(error.cause.code).toBe('E_DB');
    expect(error.stack).toMatch(/QuotaError: over quota\n\s+at /);
    expect(error.stack).toContain('<received from a worker>');
  });

  it('refuses an argument that cannot be cloned, naming its position, and the thread stays healthy', async () => {
    const before = await toThread(async () => (await import('node:worker_threads')).threadId);
    const error = await toThread((a: number, _b: unknown) => a, 1, { callback: () => 1 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DataCloneError);
    expect((error as DataCloneError).position).toBe('argument 2 (at .callback)');
    expect(await toThread(async () => (await import('node:worker_threads')).threadId)).toBe(before);
  });

  it('fails only the task whose result cannot be cloned, and the thread stays healthy', async () => {
    const pool = defaultThreadPool();
    const [bad, good] = await Promise.allSettled([
      toThread(async () => ({ id: (await import('node:worker_threads')).threadId, fn: () => 1 })),
      toThread(async () => (await import('node:worker_threads')).threadId),
    ]);
    expect(bad.status).toBe('rejected');
    const reason = (bad as PromiseRejectedResult).reason as DataCloneError;
    expect(reason).toBeInstanceOf(DataCloneError);
    expect(reason.name).toBe('DataCloneError');
    expect(reason.message).toMatch(/the result \(at \.fn\)/);
    expect(good.status).toBe('fulfilled');
    expect(pool.threads).toBeGreaterThan(0);
    expect(await toThread(() => 'still fine')).toBe('still fine');
  });

  it('the default pool grows to os.availableParallelism() threads under blocking work, and no further', async () => {
    const pool = defaultThreadPool();
    const block = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    let most = 0;
    const sampler = setInterval(() => (most = Math.max(most, pool.threads)), 5);
    try {
      await Promise.all(Array.from({ length: availableParallelism() * 3 }, () => toThread(block, 100)));
    } finally {
      clearInterval(sampler);
    }
    expect(most).toBe(availableParallelism());
  });

  it('lets a script that used it once exit promptly', async () => {
    const { code, stdout, ms } = await run([fileURLToPath(fixture('once.mjs'))]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).value).toBe(42);
    // An idle thread that kept the process alive would hold it until the 10 s idle timeout; a free run takes
    // ~0.15 s, the bound leaves room for a loaded machine.
    expect(ms).toBeLessThan(3000);
  });

  it('lets a script exit even when it never shuts down a pool with minThreads', async () => {
    const { code, stdout, ms } = await run([fileURLToPath(fixture('pool-no-shutdown.mjs'))]);
    expect(code).toBe(0);
    expect(stdout).toBe('42');
    expect(ms).toBeLessThan(3000); // idle threads are unref'd: no waiting for the 60 s idle timeout
  });

  it("resolves `await import('pkg')` in an inline function from the app's working directory, not from this package", async () => {
    // An app folder with a dependency that neither @x/to-thread nor @x/executor can see (as under pnpm).
    const app = mkdtempSync(join(tmpdir(), 'x-app-'));
    mkdirSync(join(app, 'node_modules', 'app-only-dep'), { recursive: true });
    writeFileSync(
      join(app, 'node_modules', 'app-only-dep', 'package.json'),
      JSON.stringify({ name: 'app-only-dep', type: 'module', exports: './index.js' }),
    );
    writeFileSync(join(app, 'node_modules', 'app-only-dep', 'index.js'), 'export const answer = 42;\n');
    const toThreadUrl = pathToFileURL(require.resolve('@x/to-thread')).href;
    const script = `const { toThread } = await import(${JSON.stringify(toThreadUrl)});
      process.stdout.write(String(await toThread(async () => (await import('app-only-dep')).answer)));`;
    try {
      const { code, stdout, stderr } = await run(['--input-type=module', '-e', script], app);
      expect(stderr).toBe(''); // and no ExperimentalWarning about the loader we use for it
      expect(code).toBe(0);
      expect(stdout).toBe('42');
    } finally {
      rmSync(app, { recursive: true, force: true });
    }
  });

  it('works from CommonJS (the worker entry is found next to the CJS build)', async () => {
    const script =
      "require('@x/to-thread').toThread((a, b) => a + b, 2, 40).then((v) => process.stdout.write(String(v)))";
    const { code, stdout } = await run(['-e', script]);
    expect(code).toBe(0);
    expect(stdout).toBe('42');
  });

  it('works from `node -e` code, ESM or CJS, even beside flags Node refuses for threads (--expose-gc, heap size)', async () => {
    const esm =
      "import { toThread } from '@x/to-thread'; process.stdout.write(String(await toThread((a) => a + 1, 41)));";
    const cjs =
      "require('@x/to-thread').toThread((a) => a + 1, 41).then((v) => process.stdout.write(String(v)))";
    const flags = ['--expose-gc', '--max-old-space-size=512'];
    for (const args of [
      [...flags, '--input-type=module', '-e', esm],
      [...flags, '-e', cjs],
      ['--input-type=module', '-e', esm],
    ]) {
      const { code, stdout, stderr } = await run(args);
      expect(stderr).toBe('');
      expect([code, stdout]).toEqual([0, '42']);
    }
  });

  it('runs a module function written in TypeScript when the app runs under a TS loader (threads inherit execArgv)', async () => {
    const { code, stdout, stderr } = await run(['--import', 'tsx', fileURLToPath(fixture('ts-module.mjs'))]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe('HI!');
  });

  it('runs a module function named by its .js output name (NodeNext) in an app run by tsx (issue 13)', async () => {
    const { code, stdout, stderr } = await run([
      require.resolve('tsx/cli'),
      fileURLToPath(fixture('tsx-app.ts')),
    ]);
    expect(stderr).toBe('');
    expect([code, stdout]).toEqual([0, 'hello thread']);
  });

  it('without a TypeScript loader, a .js name whose .ts source exists fails saying what to do', async () => {
    const error = await toThread(fromModule(fixture('greet.js'), 'greet'), 'x').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_MODULE_NOT_FOUND' });
    expect((error as Error).message).toMatch(/greet\.js, but its TypeScript source .*greet\.ts exists/);
    expect((error as Error).message).toMatch(/node --import tsx/);
  });
});
