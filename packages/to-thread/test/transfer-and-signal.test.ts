/**
 * Results that move (`transferResult`, `transfer()`) and `taskSignal()`, on real threads.
 *
 * Two tests are piscina's, ported (github:piscinajs/piscina, MIT licence): `Moving works` and `Using ArrayBuffer
 * works as expected` / `Using TypedArray works as expected` from test/move-test.test.ts (`Piscina.move(value)` is
 * our `transfer(value, list)`: we name the list instead of guessing it), and `transferable objects must be
 * transferred` from test/test-is-buffer-transferred.test.ts with its fixture send-buffer-then-get-length.js (the
 * worker's own reference to a moved buffer is detached; we read it at once instead of after 1.5 s, since a
 * transfer detaches when the result is sent).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isTransfer } from '@x/executor';
import { fromModule, OutsideTaskError, TimeoutError, taskSignal, transfer } from '@x/to-thread';
import { afterAll, describe, expect, it } from 'vitest';
import { poolPerTest, trapUnhandledRejections } from './helpers.js';

trapUnhandledRejections();
const createPool = poolPerTest();
const fixture = new URL('./fixtures/stream-work.mjs', import.meta.url);
const moveBuffer = fromModule<(size: number) => Uint8Array>(fixture, 'moveBuffer');
const keptLength = fromModule<() => number>(fixture, 'keptLength');
const moveTen = fromModule<() => ArrayBuffer>(fixture, 'moveTen');
const waitOnSignal = fromModule<(ms: number, log: string) => Promise<void>>(fixture, 'waitOnSignal');
const timers = fromModule<() => number>(fixture, 'timers');
// The built entry of @x/executor, for inline functions to import (they resolve from the working directory).
const executorUrl = new URL('../../executor/dist/index.js', import.meta.url).href;

const dir = mkdtempSync(join(tmpdir(), 'x-signal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let logs = 0;
const newLog = () => {
  const path = join(dir, `log-${++logs}.txt`);
  writeFileSync(path, '');
  return path;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await sleep(10);
};

describe('submit(fn, args, { transferResult: true })', () => {
  it("moves the result's ArrayBuffers: they arrive with their bytes, and the thread's copies are detached", async () => {
    const pool = createPool({ maxThreads: 1 });
    const result = await pool.submit(
      () => {
        const data = new Float64Array(1024).fill(1.5);
        const raw = new ArrayBuffer(16);
        (globalThis as unknown as { kept: unknown[] }).kept = [data, raw];
        return { data, nested: [raw] };
      },
      [],
      { transferResult: true },
    );
    expect(result.data).toBeInstanceOf(Float64Array);
    expect(result.data.length).toBe(1024);
    expect(result.data.every((x) => x === 1.5)).toBe(true);
    expect(result.nested[0]!.byteLength).toBe(16);
    const lengths = () =>
      (
        (globalThis as unknown as { kept: ArrayBufferView[] | ArrayBuffer[] }).kept as {
          byteLength: number;
        }[]
      ).map((v) => v.byteLength);
    expect(await pool.submit(lengths, [])).toEqual([0, 0]);
  });

  it('copies without the option: the thread keeps its buffer', async () => {
    const pool = createPool({ maxThreads: 1 });
    await pool.submit(() => {
      const data = new Uint8Array(64);
      (globalThis as unknown as { kept: Uint8Array }).kept = data;
      return data;
    }, []);
    expect(await pool.submit(() => (globalThis as unknown as { kept: Uint8Array }).kept.byteLength, [])).toBe(
      64,
    );
  });

  it("copies what cannot move: a small Buffer on Node's shared pool stays usable in the thread", async () => {
    const pool = createPool({ maxThreads: 1 });
    const result = await pool.submit(
      () => {
        const small = Buffer.from('hello');
        (globalThis as unknown as { small: Buffer }).small = small;
        return small;
      },
      [],
      { transferResult: true },
    );
    expect(Buffer.from(result).toString()).toBe('hello');
    expect(
      await pool.submit(
        () =>
          `${(globalThis as unknown as { small: Buffer }).small.toString()} ${Buffer.from('again').toString()}`,
        [],
      ),
    ).toBe('hello again');
  });

  it('moves the buffers of streamed values', async () => {
    const pool = createPool({ maxThreads: 1 });
    const sizes: number[] = [];
    for await (const chunk of pool.stream(
      function* () {
        const kept: Uint8Array[] = [];
        (globalThis as unknown as { chunks: Uint8Array[] }).chunks = kept;
        for (let i = 1; i <= 3; i++) {
          const chunk = new Uint8Array(i * 100).fill(i);
          kept.push(chunk);
          yield chunk;
        }
      },
      [],
      { transferResult: true },
    )) {
      expect(chunk.every((x) => x === chunk.length / 100)).toBe(true);
      sizes.push(chunk.length);
    }
    expect(sizes).toEqual([100, 200, 300]);
    expect(
      await pool.submit(
        () => (globalThis as unknown as { chunks: Uint8Array[] }).chunks.map((c) => c.byteLength),
        [],
      ),
    ).toEqual([0, 0, 0]);
  });
});

describe('transfer(value, transferList) from a module function', () => {
  it('moves the listed buffer; the value arrives whole and the worker sees its copy detached', async () => {
    const pool = createPool({ maxThreads: 1 });
    const bytes = await pool.submit(moveBuffer, [1 << 20]);
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(bytes.length).toBe(1 << 20);
    expect(bytes[1000]).toBe(1000 % 251);
    expect(await pool.submit(keptLength, [])).toBe(0);
  });

  it('marks a value and requires an array', () => {
    const buffer = new ArrayBuffer(8);
    const marked = transfer(buffer, [buffer]);
    expect(isTransfer(marked)).toBe(true);
    expect(isTransfer(buffer)).toBe(false);
    expect(() => transfer(buffer, buffer as never)).toThrow(/The "transferList" argument must be an array/);
  });

  it('Moving works (piscina move-test)', async () => {
    const pool = createPool({ maxThreads: 1 });
    const moved = await pool.submit(moveTen, []);
    expect(moved).toBeInstanceOf(ArrayBuffer);
    expect(moved.byteLength).toBe(10);
  });

  it('Using ArrayBuffer / TypedArray works as expected (piscina move-test)', () => {
    const ab = new ArrayBuffer(5);
    const u8 = new Uint8Array(5);
    for (const [value, list] of [
      [ab, [ab]],
      [u8, [u8.buffer]],
    ] as const) {
      const movable = transfer(value, list as never) as unknown as {
        value: unknown;
        transferList: unknown[];
      };
      expect(movable.value).toBe(value);
      expect(movable.transferList[0]).toBe(list[0]);
    }
  });

  it('transferable objects must be transferred (piscina test-is-buffer-transferred)', async () => {
    const pool = createPool({ maxThreads: 1 });
    const send = async (url: string) => {
      const { transfer: move } = await import(url);
      const data = new ArrayBuffer(128);
      (globalThis as unknown as { data: ArrayBuffer }).data = data;
      return move(data, [data]);
    };
    expect(((await pool.submit(send, [executorUrl])) as ArrayBuffer).byteLength).toBe(128);
    expect(
      await pool.submit(() => (globalThis as unknown as { data: ArrayBuffer }).data.byteLength, []),
    ).toBe(0);
  });
});

describe('taskSignal()', () => {
  it('is aborted when the task times out: a timer bound to it is cleared', async () => {
    const pool = createPool({ maxThreads: 1 });
    expect(await pool.submit(timers, [])).toBe(0); // the thread is up and the module loaded: the task starts at once
    const log = newLog();
    await expect(pool.submit(waitOnSignal, [60_000, log], { timeout: 100 })).rejects.toBeInstanceOf(
      TimeoutError,
    );
    await until(() => readFileSync(log, 'utf8') !== '');
    expect(readFileSync(log, 'utf8')).toBe('aborted: AbortError true\n');
    // The same thread (it was not terminated: the task answered), with no timer left behind.
    expect(await pool.submit(timers, [])).toBe(0);
    expect(pool.threads).toBe(1);
  });

  it("is aborted when the caller's signal aborts", async () => {
    const pool = createPool({ maxThreads: 1 });
    expect(await pool.submit(timers, [])).toBe(0);
    const log = newLog();
    const controller = new AbortController();
    const task = pool.submit(waitOnSignal, [60_000, log], { signal: controller.signal });
    await sleep(50);
    controller.abort();
    await expect(task).rejects.toBe(controller.signal.reason);
    await until(() => readFileSync(log, 'utf8') !== '');
    expect(readFileSync(log, 'utf8')).toBe('aborted: AbortError true\n');
    expect(await pool.submit(timers, [])).toBe(0);
  });

  it('stays live for a task that completes, and reaches inline functions through import()', async () => {
    const pool = createPool({ maxThreads: 1 });
    const inline = async (url: string) => {
      const { taskSignal: signalOf } = await import(url);
      const before = signalOf();
      await new Promise((resolve) => setTimeout(resolve, 5));
      return [before === signalOf(), before.aborted];
    };
    expect(await pool.submit(inline, [executorUrl])).toEqual([true, false]);
  });

  it('aborts an inline task awaiting a timer on cancellation', async () => {
    const pool = createPool({ maxThreads: 1 });
    const controller = new AbortController();
    const inline = async (url: string) => {
      const { taskSignal: signalOf } = await import(url);
      // Asked after an await (the import): the worker runs this one task, so it knows which task asks.
      const signal: AbortSignal = signalOf();
      const { setTimeout: wait } = await import('node:timers/promises');
      try {
        await wait(60_000, undefined, { signal });
      } finally {
        (globalThis as unknown as { reason: string }).reason = signal.reason?.name;
      }
    };
    // Warm: the thread is up and has @x/executor loaded, so the task is running when it is cancelled.
    await pool.submit(async (url: string) => void (await import(url)), [executorUrl]);
    const task = pool.submit(inline, [executorUrl], { signal: controller.signal });
    await sleep(100);
    controller.abort();
    await expect(task).rejects.toBeDefined();
    await sleep(20);
    expect(await pool.submit(() => (globalThis as unknown as { reason: string }).reason, [])).toBe(
      'AbortError',
    );
    expect(await pool.submit(timers, [])).toBe(0);
  });

  it('tells tasks apart after an await once a thread runs several at once: the first asks fail clearly, later tasks are tracked', async () => {
    const pool = createPool({ maxThreads: 1 }); // several tasks per thread (concurrentTasksPerThread 64)
    await pool.submit(async (url: string) => void (await import(url)), [executorUrl]);
    const askAfterAwait = async (url: string) => {
      const { taskSignal: signalOf } = await import(url);
      await new Promise((resolve) => setTimeout(resolve, 20)); // both tasks are running now
      try {
        return signalOf().aborted === false ? 'live signal' : 'aborted';
      } catch (error) {
        return `${(error as Error).name}: ${(error as Error).message}`;
      }
    };
    const first = await Promise.all([
      pool.submit(askAfterAwait, [executorUrl]),
      pool.submit(askAfterAwait, [executorUrl]),
    ]);
    // Whichever asks first cannot be told from the other; by the time the other asks, the first has settled.
    const failed = first.filter((answer) => answer.startsWith('OutsideTaskError'));
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatch(/^OutsideTaskError: .*runs 2 tasks at once.*before its first await/);
    expect(first).toContain('live signal');
    // From then on the thread tracks each task across its awaits.
    const later = await Promise.all([
      pool.submit(askAfterAwait, [executorUrl]),
      pool.submit(askAfterAwait, [executorUrl]),
    ]);
    expect(later).toEqual(['live signal', 'live signal']);
  });

  it('throws OutsideTaskError outside a task: in the main thread, and in a worker between tasks', async () => {
    expect(() => taskSignal()).toThrow(OutsideTaskError);
    expect(() => taskSignal()).toThrow(/outside a task/);
    const pool = createPool({ maxThreads: 1 });
    await pool.submit(
      async (url: string) => {
        const { taskSignal: signalOf } = await import(url);
        setTimeout(() => {
          try {
            signalOf();
          } catch (error) {
            (globalThis as unknown as { outside: string }).outside = (error as Error).name;
          }
        }, 10);
      },
      [executorUrl],
    );
    await sleep(50);
    expect(await pool.submit(() => (globalThis as unknown as { outside: string }).outside, [])).toBe(
      'OutsideTaskError',
    );
  });
});
