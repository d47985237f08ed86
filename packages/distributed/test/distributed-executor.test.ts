import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { AbortError, DataCloneError, PoolClosedError } from '@x/executor';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodeVersionMismatchError, DistributedExecutor, SourceFunctionRefusedError } from '../src/index.js';
import { redisUrl, waitFor, work } from './support/suite.js';
import { freshQueue, startWorker, stopAllWorkers } from './support/workers.js';

describe.skipIf(!redisUrl)('DistributedExecutor', () => {
  const url = redisUrl!;
  const queue = freshQueue('executor');
  let executor: DistributedExecutor;

  beforeAll(async () => {
    await startWorker(url, ['--queue', queue, '--concurrency', '2', '--workers', '2']);
    executor = new DistributedExecutor({ connection: url, queue });
  });
  afterAll(async () => {
    await executor?.shutdown();
    await stopAllWorkers();
  });

  describe('submit: fidelity of arguments, results and errors', () => {
    it('runs a module function on a worker process and resolves with its result', async () => {
      expect(await executor.submit(work<(a: number, b: number) => number>('add'), [2, 3])).toBe(5);
      const pid = await executor.submit(work<() => number>('pid'), []);
      expect(pid).not.toBe(process.pid);
    });

    it('keeps Map, Set, Date, BigInt, typed arrays, undefined and NaN through Redis (v8 serialization)', async () => {
      const value = {
        map: new Map<unknown, unknown>([[1, new Set(['a'])]]),
        date: new Date(1234),
        big: 2n ** 70n,
        bytes: new Uint8Array([1, 2, 3]),
        nothing: undefined,
        nan: Number.NaN,
        nested: [{ deep: new Float64Array([0.5]) }],
      };
      const back = await executor.submit(work<(v: typeof value) => typeof value>('echo'), [value]);
      expect(back).toEqual(value);
      expect(back.map.get(1)).toBeInstanceOf(Set);
      expect(back.date).toBeInstanceOf(Date);
      expect(back.big).toBe(2n ** 70n);
      expect(back.bytes).toBeInstanceOf(Uint8Array);
      expect('nothing' in back).toBe(true);
    });

    it('rejects with the remote error: its class name, code, own properties, cause and remote stack', async () => {
      const error = await executor.submit(work<(m: string) => never>('fail'), ['bad email']).catch((e) => e);
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe('ValidationError');
      expect(error.message).toBe('bad email');
      expect(error.code).toBe('E_VALIDATION');
      expect(error.field).toBe('email');
      expect(error.cause).toBeInstanceOf(RangeError);
      expect(error.cause.message).toBe('inner cause');
      expect(error.stack).toContain('work.mjs');
      expect(error.stack).toContain('<received from a worker>');
    });

    it('fails only its own task with DataCloneError when an argument cannot be serialized, before sending', async () => {
      const bad = executor.submit(work('echo'), [{ ok: 1, fn: () => 1 }]);
      const good = executor.submit(work<(a: number, b: number) => number>('add'), [1, 1]);
      const error = await bad.catch((e) => e);
      expect(error).toBeInstanceOf(DataCloneError);
      expect(error.message).toContain('argument 1');
      expect(error.message).toContain('.fn');
      expect(await good).toBe(2);
    });

    it('fails only its own task with DataCloneError when the result cannot be serialized', async () => {
      const [bad, good] = await Promise.allSettled([
        executor.submit(work('unserializable'), []),
        executor.submit(work<(a: number, b: number) => number>('add'), [2, 2]),
      ]);
      expect(bad.status).toBe('rejected');
      expect((bad as PromiseRejectedResult).reason).toBeInstanceOf(DataCloneError);
      expect((bad as PromiseRejectedResult).reason.message).toContain('the result');
      expect(good).toEqual({ status: 'fulfilled', value: 4 });
    });
  });

  describe('map', () => {
    it('yields results in input order, computed on the workers', async () => {
      const out: number[] = [];
      for await (const y of executor.map(work<(n: number) => number>('echo'), [5, 4, 3, 2, 1], {
        concurrency: 3,
      }))
        out.push(y);
      expect(out).toEqual([5, 4, 3, 2, 1]);
    });

    it('ends with the first failure', async () => {
      const run = async () => {
        for await (const _ of executor.map(work('fail'), ['x'])) {
          // never reached
        }
      };
      await expect(run()).rejects.toMatchObject({ name: 'ValidationError', code: 'E_VALIDATION' });
    });
  });

  describe('remote code', () => {
    it('refuses an inline function at once without allowSourceFunctions, naming the fix', () => {
      expect(() => executor.submit((a: number) => a + 1, [1])).toThrow(SourceFunctionRefusedError);
      expect(() => executor.submit((a: number) => a + 1, [1])).toThrow(/allowSourceFunctions: true/);
      expect(() => executor.map((a: number) => a + 1, [1])).toThrow(TypeError);
    });

    it('runs an inline function when both executor and worker allow source functions', async () => {
      const q = freshQueue('source');
      await startWorker(url, ['--queue', q, '--allow-source-functions']);
      await using inline = new DistributedExecutor({ connection: url, queue: q, allowSourceFunctions: true });
      expect(await inline.submit((a: number, b: number) => a * b, [6, 7])).toBe(42);
      const captured = 3;
      const error = await inline.submit(() => captured * 2, []).catch((e) => e);
      expect(error).toBeInstanceOf(ReferenceError);
      expect(error.code).toBe('ERR_X_CAPTURED_VARIABLE');
      expect(error.message).toContain('captured');
    });

    it('a worker without allowSourceFunctions refuses inline functions and never runs them', async () => {
      await using inline = new DistributedExecutor({ connection: url, queue, allowSourceFunctions: true });
      const error = await inline
        .submit(() => {
          throw new Error('must not run');
        }, [])
        .catch((e) => e);
      expect(error).toBeInstanceOf(SourceFunctionRefusedError);
      expect(error.code).toBe('ERR_X_SOURCE_FUNCTION_REFUSED');
      expect(error.message).toContain('--allow-source-functions');
    });

    it('a worker serving another codeVersion refuses the task with CodeVersionMismatchError', async () => {
      const q = freshQueue('version');
      await startWorker(url, [
        '--queue',
        q,
        '--code-version',
        'v2',
        '--module',
        fileURLToPath(new URL('./fixtures/work.mjs', import.meta.url)),
      ]);
      await using old = new DistributedExecutor({ connection: url, queue: q, codeVersion: 'v1' });
      const error = await old.submit(work('block'), [0, undefined, 'x']).catch((e) => e);
      expect(error).toBeInstanceOf(CodeVersionMismatchError);
      expect(error).toMatchObject({ code: 'ERR_X_CODE_VERSION_MISMATCH', expected: 'v1', actual: 'v2' });
      expect(error.message).toMatch(/"v2" refused this task, submitted for codeVersion "v1"/);
      await using same = new DistributedExecutor({ connection: url, queue: q, codeVersion: 'v2' });
      expect(await same.submit(work<(a: number, b: number) => number>('add'), [1, 2])).toBe(3);
    });
  });

  describe('options', () => {
    it('throws naming the option for bad options', () => {
      const make = (o: unknown) => () => new DistributedExecutor(o as never);
      expect(make(undefined)).toThrow(/"options" argument must be an object/);
      expect(make({})).toThrow(/"options.connection" property/);
      expect(make({ connection: 'http://x' })).toThrow(/redis:\/\/ or rediss:\/\/ URL/);
      expect(make({ connection: url, queue: 'a:b' })).toThrow(/must not contain ":"/);
      expect(make({ connection: url, onWorkerLost: 'ignore' })).toThrow(/'retry' or 'fail'/);
      expect(make({ connection: url, attempts: 0 })).toThrow(RangeError);
      expect(make({ connection: url, conection: url })).toThrow(
        /"options.conection" property is not a known option/,
      );
      expect(make({ connection: url, codeVersion: 3 })).toThrow(TypeError);
      expect(() => executor.submit(work('add'), [1, 2], { timeout: -1 })).toThrow(RangeError);
      expect(() => executor.submit(work('add'), [1, 2], { sigal: 1 } as never)).toThrow(/options.sigal/);
      expect(() => executor.submit(work('add'), 1 as never)).toThrow(/"args" argument must be an array/);
      expect(() => executor.submit('add' as never, [] as never)).toThrow(TypeError);
    });
  });

  describe('shutdown', () => {
    it('refuses new tasks with PoolClosedError after shutdown()', async () => {
      const ex = new DistributedExecutor({ connection: url, queue });
      expect(await ex.submit(work<(a: number, b: number) => number>('add'), [1, 2])).toBe(3);
      await ex.shutdown();
      await expect(ex.submit(work('add'), [1, 2])).rejects.toBeInstanceOf(PoolClosedError);
    });

    it('waits for accepted tasks by default', async () => {
      const ex = new DistributedExecutor({ connection: url, queue });
      const task = ex.submit(work<(ms: number) => number>('block'), [300]);
      await ex.shutdown();
      await expect(task).resolves.toBeTypeOf('number');
      expect(ex.pending).toBe(0);
    });

    it('cancelPending rejects tasks no worker has started with AbortError and removes their jobs', async () => {
      const q = freshQueue('cancel-pending');
      await startWorker(url, ['--queue', q, '--concurrency', '1']);
      const ex = new DistributedExecutor({ connection: url, queue: q });
      const raw = new Queue(q, {
        connection: { host: '127.0.0.1', port: Number(new URL(url).port) } as never,
      });
      try {
        const running = ex.submit(work<(ms: number) => number>('block'), [1500]);
        const waiting = [ex.submit(work('add'), [1, 1]), ex.submit(work('add'), [2, 2])].map((p) =>
          p.catch((e: unknown) => e),
        );
        await waitFor(
          async () => (await raw.getActiveCount()) === 1 && (await raw.getWaitingCount()) === 2,
          'one active, two waiting',
        );
        await ex.shutdown({ cancelPending: true });
        for (const w of waiting) expect(await w).toBeInstanceOf(AbortError);
        await expect(running).resolves.toBeTypeOf('number');
        expect(await raw.getWaitingCount()).toBe(0);
      } finally {
        await raw.close();
      }
    });

    it('leaves nothing that keeps the process alive: a script that submits and shuts down exits by itself', async () => {
      const script = fileURLToPath(new URL('./fixtures/exits.mjs', import.meta.url));
      const child = spawn(process.execPath, [script, url, queue], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (c) => (out += c));
      child.stderr.on('data', (c) => (out += c));
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const [code, signal] = await new Promise<[number | null, string | null]>((resolve) =>
        child.once('exit', (c, s) => resolve([c, s])),
      );
      clearTimeout(killer);
      expect(signal, `the script did not exit by itself: ${out}`).toBeNull();
      expect(code).toBe(0);
      expect(out).toContain('result 5');
    });
  });
});
