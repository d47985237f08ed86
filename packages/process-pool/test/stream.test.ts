import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataCloneError, fromModule, ProcessPool, TimeoutError, WorkerCrashedError } from '@x/process-pool';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const fixture = new URL('./fixtures/stream-work.mjs', import.meta.url);
const countForever = fromModule<(log: string) => AsyncGenerator<number>>(fixture, 'countForever');
const moveBuffer = fromModule<(size: number) => Uint8Array>(fixture, 'moveBuffer');
const waitOnSignal = fromModule<(ms: number, log: string) => Promise<void>>(fixture, 'waitOnSignal');
const timers = fromModule<() => number>(fixture, 'timers');

const pools: ProcessPool[] = [];
const make = (options?: ConstructorParameters<typeof ProcessPool>[0]) => {
  const pool = new ProcessPool({ maxWorkers: 1, ...options });
  pools.push(pool);
  return pool;
};
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.shutdown({ cancelPending: true })));
});
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => process.on('unhandledRejection', onUnhandled));
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});

const dir = mkdtempSync(join(tmpdir(), 'x-pp-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let logs = 0;
const newLog = () => {
  const path = join(dir, `log-${++logs}.txt`);
  writeFileSync(path, '');
  return path;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const pidOf = () => process.pid;

describe('ProcessPool.stream', () => {
  it('yields the values of a generator in a child, in order, then its return value', async () => {
    const pool = make();
    const stream = pool.stream(
      function* (n: number) {
        for (let i = 0; i < n; i++) yield { i, pid: process.pid };
        return 'end';
      },
      [500],
    );
    const seen: number[] = [];
    let result: IteratorResult<{ i: number; pid: number }, string>;
    while (!(result = await stream.next()).done) {
      expect(result.value.pid).not.toBe(process.pid);
      seen.push(result.value.i);
    }
    expect(result.value).toBe('end');
    expect(seen).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });

  it("a consumer that breaks after one item: the generator's finally ran in the child, which is reused", async () => {
    const pool = make();
    const before = await pool.submit(pidOf, []);
    const log = newLog();
    for await (const value of pool.stream(countForever, [log])) {
      expect(value).toBe(0);
      break;
    }
    expect(readFileSync(log, 'utf8')).toBe('finally ran\n');
    expect(await pool.submit(pidOf, [])).toBe(before);
  });

  it('a child that dies mid-stream fails the iteration with WorkerCrashedError, and is replaced', async () => {
    const pool = make();
    const before = await pool.submit(pidOf, []);
    const seen: number[] = [];
    const error = await (async () => {
      for await (const value of pool.stream(async function* () {
        yield 1;
        await new Promise((resolve) => setTimeout(resolve, 20));
        process.exit(9);
      }, []))
        seen.push(value);
    })().catch((e: unknown) => e);
    expect(seen).toEqual([1]);
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect(error).toMatchObject({ exitCode: 9 });
    expect(await pool.submit(pidOf, [])).not.toBe(before);
  });

  it("an aborted signal ends the loop at once with its reason, and the generator's finally runs", async () => {
    const pool = make();
    const log = newLog();
    const controller = new AbortController();
    const stream = pool.stream(countForever, [log], { signal: controller.signal });
    expect((await stream.next()).value).toBe(0);
    controller.abort(new Error('enough'));
    await expect(stream.next()).rejects.toThrow('enough');
    for (let i = 0; i < 100 && readFileSync(log, 'utf8') === ''; i++) await sleep(10);
    expect(readFileSync(log, 'utf8')).toBe('finally ran\n');
  });

  it("with serialization 'json', a value JSON would change fails the stream with DataCloneError", async () => {
    const pool = make({ serialization: 'json' });
    const seen: unknown[] = [];
    const error = await (async () => {
      for await (const value of pool.stream(function* () {
        yield { ok: 1 };
        yield new Map([[1, 2]]);
      }, []))
        seen.push(value);
    })().catch((e: unknown) => e);
    expect(seen).toEqual([{ ok: 1 }]);
    expect(error).toBeInstanceOf(DataCloneError);
    expect((error as Error).message).toMatch(/a value the stream yielded/);
  });

  it('times out with TimeoutError', async () => {
    const pool = make();
    const error = await (async () => {
      for await (const _ of pool.stream(countForever, [newLog()], { timeout: 200, highWaterMark: 1 })) {
        await sleep(10);
      }
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
  });
});

describe('results that move, in a child process (IPC copies)', () => {
  it('accepts transferResult and transfer(): the value arrives whole, copied', async () => {
    const pool = make();
    const result = await pool.submit(() => new Float64Array(64).fill(2.5), [], { transferResult: true });
    expect(result).toBeInstanceOf(Float64Array);
    expect(result.every((x) => x === 2.5)).toBe(true);
    const bytes = await pool.submit(moveBuffer, [1000]);
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(bytes.length).toBe(1000);
    expect(bytes.every((x) => x === 7)).toBe(true);
  });
});

describe('taskSignal() in a child process', () => {
  it('is aborted when the task times out: a timer bound to it is cleared', async () => {
    const pool = make();
    expect(await pool.submit(timers, [])).toBe(0); // the child is up with the module loaded
    const before = await pool.submit(pidOf, []);
    const log = newLog();
    await expect(pool.submit(waitOnSignal, [60_000, log], { timeout: 150 })).rejects.toBeInstanceOf(
      TimeoutError,
    );
    for (let i = 0; i < 200 && readFileSync(log, 'utf8') === ''; i++) await sleep(10);
    expect(readFileSync(log, 'utf8')).toBe('aborted: AbortError true\n');
    expect(await pool.submit(pidOf, [])).toBe(before);
    expect(await pool.submit(timers, [])).toBe(0);
  });
});
