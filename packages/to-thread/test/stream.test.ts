import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromModule, TimeoutError, WorkerCrashedError } from '@x/to-thread';
import { afterAll, describe, expect, it } from 'vitest';
import { poolPerTest, threadIdOf, trapUnhandledRejections } from './helpers.js';

trapUnhandledRejections();
const createPool = poolPerTest();
const fixture = new URL('./fixtures/stream-work.mjs', import.meta.url);
const countForever = fromModule<(log: string) => AsyncGenerator<number>>(fixture, 'countForever');

const dir = mkdtempSync(join(tmpdir(), 'x-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let logs = 0;
const newLog = () => {
  const path = join(dir, `log-${++logs}.txt`);
  writeFileSync(path, '');
  return path;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ThreadPool.stream', () => {
  it("a consumer that breaks after one item: the generator's finally ran in the thread, which is reused", async () => {
    const pool = createPool({ maxThreads: 1 });
    const before = await pool.submit(threadIdOf, []);
    const log = newLog();
    for await (const value of pool.stream(countForever, [log])) {
      expect(value).toBe(0);
      break;
    }
    // return() resolved after the thread ran the finally: no polling needed.
    expect(readFileSync(log, 'utf8')).toBe('finally ran\n');
    expect(await pool.submit(threadIdOf, [])).toBe(before);
    expect(pool.threads).toBe(1);
  });

  it('pauses the generator in the thread: it runs at most highWaterMark values ahead of a slow consumer', async () => {
    const pool = createPool({ maxThreads: 1 });
    const produced = new Int32Array(new SharedArrayBuffer(4));
    const stream = pool.stream(
      function* (counter: Int32Array) {
        for (let i = 0; i < 1_000_000; i++) {
          Atomics.add(counter, 0, 1);
          yield i;
        }
      },
      [produced],
      { highWaterMark: 8 },
    );
    expect((await stream.next()).value).toBe(0);
    await sleep(200);
    expect(Atomics.load(produced, 0)).toBeLessThanOrEqual(8 + 1);
    for (let i = 1; i <= 20; i++) {
      expect((await stream.next()).value).toBe(i);
      await sleep(2);
    }
    await sleep(100);
    // 21 taken: whatever was acknowledged, never more than highWaterMark beyond what the loop took.
    expect(Atomics.load(produced, 0)).toBeLessThanOrEqual(21 + 8 + 1);
    await stream.return();
    expect(Atomics.load(produced, 0)).toBeLessThan(100);
  });

  it('delivers 20,000 values in order', async () => {
    const pool = createPool({ maxThreads: 1 });
    let expected = 0;
    for await (const value of pool.stream(
      function* (n: number) {
        for (let i = 0; i < n; i++) yield i;
      },
      [20_000],
    )) {
      expect(value).toBe(expected++);
    }
    expect(expected).toBe(20_000);
  });

  it('a thread that crashes mid-stream fails the iteration with WorkerCrashedError, and is replaced', async () => {
    const pool = createPool({ maxThreads: 1 });
    const before = await pool.submit(threadIdOf, []);
    const seen: number[] = [];
    const error = await (async () => {
      for await (const value of pool.stream(async function* () {
        yield 1;
        await new Promise((resolve) => setTimeout(resolve, 20));
        yield 2;
        await new Promise((resolve) => setTimeout(resolve, 20));
        process.exit(7);
      }, []))
        seen.push(value);
    })().catch((e: unknown) => e);
    expect(seen).toEqual([1, 2]);
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect(error).toMatchObject({ exitCode: 7 });
    const after = await pool.submit(threadIdOf, []);
    expect(after).not.toBe(before);
  });

  it('stops a generator stuck in synchronous code when the consumer leaves: its thread is replaced', async () => {
    const pool = createPool({ maxThreads: 1 });
    const before = await pool.submit(threadIdOf, []);
    const stream = pool.stream(function* () {
      yield 'first';
      for (;;); // never yields again
    }, []);
    expect((await stream.next()).value).toBe('first');
    await stream.return(); // resolves once the stuck thread is gone
    expect(await pool.submit(() => 'served', [])).toBe('served');
    expect(await pool.submit(threadIdOf, [])).not.toBe(before);
  });

  it("an aborted signal ends the loop at once with its reason, and the generator's finally runs", async () => {
    const pool = createPool({ maxThreads: 1 });
    const log = newLog();
    const controller = new AbortController();
    const stream = pool.stream(countForever, [log], { signal: controller.signal });
    expect((await stream.next()).value).toBe(0);
    controller.abort(new Error('enough'));
    await expect(stream.next()).rejects.toThrow('enough');
    for (let i = 0; i < 100 && readFileSync(log, 'utf8') === ''; i++) await sleep(10);
    expect(readFileSync(log, 'utf8')).toBe('finally ran\n');
  });

  it('leaving early aborts taskSignal() inside the generator, so a wait in it ends and the finally runs', async () => {
    const pool = createPool({ maxThreads: 1 });
    const before = await pool.submit(threadIdOf, []);
    const waitBetweenValues = fromModule<(log: string) => AsyncGenerator<number>>(
      fixture,
      'waitBetweenValues',
    );
    const log = newLog();
    for await (const value of pool.stream(waitBetweenValues, [log])) {
      expect(value).toBe(0);
      break; // the generator is waiting 60 s on its signal: return() must not wait that long
    }
    expect(readFileSync(log, 'utf8')).toBe('finally: aborted true\n');
    expect(await pool.submit(threadIdOf, [])).toBe(before);
  });

  it('serves a task sent to its thread while a stream produces there', async () => {
    // The stream reads the thread's mail between values (for credit and cancellations); a task in that mail must
    // still start, not wait for the next message to wake the loop.
    const pool = createPool({ maxThreads: 1 }); // several tasks per thread
    const stream = pool.stream(
      function* () {
        for (let i = 0; ; i++) yield i;
      },
      [],
      { highWaterMark: 1000 },
    );
    expect((await stream.next()).value).toBe(0);
    for (let round = 0; round < 5; round++) {
      expect(await pool.submit(() => 'served', [], { timeout: 5000 })).toBe('served');
      await stream.next();
    }
    await stream.return();
  });

  it('times out with TimeoutError', async () => {
    const pool = createPool({ maxThreads: 1 });
    const error = await (async () => {
      for await (const _ of pool.stream(countForever, [newLog()], { timeout: 100, highWaterMark: 1 })) {
        await sleep(10);
      }
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
  });
});

/** Runs a fixture script in its own Node process; resolves with how it ended. */
const runScript = (name: string) =>
  new Promise<{ code: number | null; stdout: string; ms: number }>((resolve) => {
    const t0 = performance.now();
    const child = execFile(
      process.execPath,
      [fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))],
      { timeout: 15_000 },
      (_error, stdout) => resolve({ code: child.exitCode, stdout, ms: performance.now() - t0 }),
    );
  });

describe('a stream and the life of the process', () => {
  it('lets a script exit when it reads a stream once and forgets it (the paused generator does not hold it)', async () => {
    const { code, stdout, ms } = await runScript('stream-abandoned.mjs');
    expect(stdout).toBe('0');
    expect(code).toBe(0);
    expect(ms).toBeLessThan(10_000); // not killed by the 15 s timeout
  });

  it('keeps the process alive after break until the worker has closed the generator, so the code after the loop runs', async () => {
    const { code, stdout } = await runScript('stream-break.mjs');
    expect(stdout).toBe('got 0, after the loop');
    expect(code).toBe(0);
  });
});

/**
 * workerpool's tests of events from a running task (test/Pool.test.js with its workers emit.js and
 * transfer-emit.js, github:josdejong/workerpool, Apache License 2.0): a worker calls `workerpool.workerEmit(payload)`
 * and the caller's `on` listener receives it. Here the events are the values a stream yields and the task's
 * result is the generator's return value; workerpool's `new workerpool.Transfer(value, list)` is our
 * `transferResult` (or `transfer(value, list)`).
 */
describe('workerpool Pool.test.js, ported: events from a running task are a stream', () => {
  it('should receive events from worker', async () => {
    const pool = createPool();
    const received: unknown[] = [];
    const stream = pool.stream(async function* sendEvent() {
      yield { foo: 'bar' };
      return 'done';
    }, []);
    let result: IteratorResult<{ foo: string }, string>;
    while (!(result = await stream.next()).done) received.push(result.value);
    expect(result.value).toBe('done');
    expect(received).toEqual([{ foo: 'bar' }]);
  });

  it('should support emitting transferable object from worker', async () => {
    const pool = createPool({ maxThreads: 1 });
    const stream = pool.stream(
      async function* emitTransfer(size: number) {
        const data = new Uint8Array(size).map((_v, i) => i);
        (globalThis as unknown as { emitted: Uint8Array }).emitted = data;
        yield { type: 'transfer', data };
        return 'emitted';
      },
      [8],
      { transferResult: true },
    );
    let receivedEvent: { type: string; data: Uint8Array } | undefined;
    let result: IteratorResult<{ type: string; data: Uint8Array }, string>;
    while (!(result = await stream.next()).done)
      if (result.value.type === 'transfer') receivedEvent = result.value;
    expect(result.value).toBe('emitted');
    expect(receivedEvent?.data).toEqual(new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7]));
    // Moved, not copied: the thread's array is detached.
    expect(
      await pool.submit(() => (globalThis as unknown as { emitted: Uint8Array }).emitted.byteLength, []),
    ).toBe(0);
  });

  it('should support returning transferable object from async function', async () => {
    const pool = createPool();
    const asyncTransfer = async (size: number) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return new Uint8Array(size);
    };
    const result = await pool.submit(asyncTransfer, [8], { transferResult: true });
    expect(result.length).toBe(8);
  });
});
