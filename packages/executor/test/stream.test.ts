// pool.stream() over workers running in this very thread (serveWorker on a MessageChannel): the generator's
// side effects land on this thread's globalThis, so a test can watch the producer directly. Real threads and
// child processes are tested in @x/to-thread and @x/process-pool.
import { MessageChannel } from 'node:worker_threads';
import { afterAll, afterEach, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import {
  DataCloneError,
  type MainMessage,
  MSG_PULL,
  MSG_YIELD,
  Pool,
  serveWorker,
  TimeoutError,
  type Transport,
  type TransportHandlers,
  WorkerCrashedError,
} from '../src/index.js';

const unhandled: unknown[] = [];
const trap = (reason: unknown) => unhandled.push(reason);
beforeAll(() => process.on('unhandledRejection', trap));
afterAll(() => {
  process.off('unhandledRejection', trap);
  expect(unhandled).toEqual([]);
});

const g = globalThis as unknown as Record<string, number | string[] | undefined>;
afterEach(() => {
  for (const key of ['produced', 'finally', 'log']) delete g[key];
});

/** A worker in this thread; records the messages each way. */
class InThread implements Transport {
  static all: InThread[] = [];
  readonly sent: MainMessage[] = [];
  readonly received: unknown[][] = [];
  readonly #channel = new MessageChannel();
  readonly #handlers: TransportHandlers;
  #gone = false;
  constructor(handlers: TransportHandlers) {
    this.#handlers = handlers;
    InThread.all.push(this);
    const { port1, port2 } = this.#channel;
    port1.on('message', (m: unknown[]) => {
      this.received.push(m);
      handlers.onMessage(m);
    });
    serveWorker({ send: (m, t) => port2.postMessage(m, t), onMessage: (l) => port2.on('message', l) });
  }
  send(message: MainMessage): void {
    if (this.#gone) throw new Error('gone');
    this.sent.push(message);
    this.#channel.port1.postMessage(message);
  }
  die(code: number | null) {
    if (this.#gone) return;
    this.#gone = true;
    this.#channel.port1.close();
    setImmediate(() => this.#handlers.onExit({ code, signal: null }));
  }
  terminate(): void {
    this.die(1);
  }
  ref(): void {}
  unref(): void {}
}

const pools: Pool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.shutdown({ cancelPending: true })));
  InThread.all = [];
});
const pool = (options: Partial<ConstructorParameters<typeof Pool>[0]> = {}) => {
  const p = new Pool({ transport: (h) => new InThread(h), maxWorkers: 1, ...options });
  pools.push(p);
  return p;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Pool.stream', () => {
  it('yields the values of a sync generator in order, then its return value with done', async () => {
    const p = pool();
    const stream = p.stream(
      function* (n: number) {
        for (let i = 0; i < n; i++) yield i * 10;
        return 'end';
      },
      [3],
    );
    expectTypeOf<Awaited<ReturnType<typeof stream.next>>>().toEqualTypeOf<IteratorResult<number, string>>();
    expect(await stream.next()).toEqual({ done: false, value: 0 });
    expect(await stream.next()).toEqual({ done: false, value: 10 });
    expect(await stream.next()).toEqual({ done: false, value: 20 });
    expect(await stream.next()).toEqual({ done: true, value: 'end' });
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it('streams an async generator, and a function returning an array or a promise of one', async () => {
    const p = pool();
    const collect = async <T>(it: AsyncIterable<T>) => {
      const out: T[] = [];
      for await (const v of it) out.push(v);
      return out;
    };
    const ticks = async function* (n: number) {
      for (let i = 0; i < n; i++) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        yield `t${i}`;
      }
    };
    expect(await collect(p.stream(ticks, [4]))).toEqual(['t0', 't1', 't2', 't3']);
    expect(await collect(p.stream((a: number) => [a, a + 1], [7]))).toEqual([7, 8]);
    expect(await collect(p.stream(async () => new Set(['x']), []))).toEqual(['x']);
    await expect(collect(p.stream((() => 42) as never, [] as never))).rejects.toMatchObject({
      name: 'TypeError',
      message: expect.stringMatching(/must return an iterable or an async iterable/),
    });
  });

  it('pauses the generator once highWaterMark values are ahead of a slow consumer', async () => {
    const p = pool();
    const stream = p.stream(
      function* () {
        const self = globalThis as unknown as { produced: number };
        self.produced = 0;
        for (let i = 0; i < 1000; i++) {
          self.produced++;
          yield i;
        }
      },
      [],
      { highWaterMark: 4 },
    );
    const produced = () => g.produced as number;
    expect((await stream.next()).value).toBe(0);
    await sleep(100);
    // Credits: 4 values may be unacknowledged; the one taken was acknowledged at once (the buffer ran dry).
    expect(produced()).toBeGreaterThanOrEqual(4);
    expect(produced()).toBeLessThanOrEqual(4 + 2);
    for (let i = 1; i <= 10; i++) {
      expect((await stream.next()).value).toBe(i);
      await sleep(5);
    }
    await sleep(50);
    expect(produced()).toBeLessThanOrEqual(11 + 4 + 2);
    await stream.return();
    expect(produced()).toBeLessThan(1000);
  });

  it('sends the values yielded together in one message and credits in batches of half the highWaterMark', async () => {
    const p = pool();
    let count = 0;
    for await (const _ of p.stream(
      function* () {
        for (let i = 0; i < 1000; i++) yield i;
      },
      [],
      { highWaterMark: 100 },
    ))
      count++;
    expect(count).toBe(1000);
    const transport = InThread.all[0]!;
    const yields = transport.received.filter((m) => m[0] === MSG_YIELD).length;
    const pulls = transport.sent.filter((m) => m[0] === MSG_PULL);
    expect(yields).toBeLessThanOrEqual(40); // 1000 values, 100 credits: not one message per value
    expect(pulls.length).toBeLessThanOrEqual(40);
    expect(pulls.every((m) => (m[2] as number) <= 100)).toBe(true);
  });

  it("leaving the loop early runs the generator's finally in the worker before return() resolves; the worker is reused", async () => {
    const p = pool();
    const stream = p.stream(async function* () {
      try {
        for (let i = 0; ; i++) yield i;
      } finally {
        (globalThis as unknown as { finally: number }).finally = 1;
      }
    }, []);
    for await (const value of stream) {
      expect(value).toBe(0);
      break;
    }
    expect(g.finally).toBe(1);
    expect(await p.submit(() => 'next task', [])).toBe('next task');
    expect(InThread.all.length).toBe(1);
    expect(p.pending).toBe(0);
  });

  it('ends the iteration with the error the generator threw, after the values it yielded before', async () => {
    const p = pool();
    const seen: number[] = [];
    const error = await (async () => {
      for await (const v of p.stream(function* () {
        yield 1;
        yield 2;
        throw new RangeError('bad value');
      }, []))
        seen.push(v);
    })().catch((e: unknown) => e);
    expect(seen).toEqual([1, 2]);
    expect(error).toBeInstanceOf(RangeError);
    expect((error as Error).message).toBe('bad value');
  });

  it("rejects at once with the signal's reason when aborted mid-stream, and closes the generator", async () => {
    const p = pool();
    const controller = new AbortController();
    const stream = p.stream(
      async function* () {
        try {
          for (let i = 0; ; i++) {
            await new Promise((resolve) => setTimeout(resolve, 2));
            yield i;
          }
        } finally {
          (globalThis as unknown as { finally: number }).finally = 1;
        }
      },
      [],
      { signal: controller.signal },
    );
    expect((await stream.next()).value).toBe(0);
    await sleep(30); // values pile up in the buffer
    const reason = new Error('user left');
    controller.abort(reason);
    await expect(stream.next()).rejects.toBe(reason);
    expect(await stream.next()).toEqual({ done: true, value: undefined });
    await sleep(50);
    expect(g.finally).toBe(1);
    expect(await p.submit(() => 'alive', [])).toBe('alive');
  });

  it('fails with TimeoutError when the stream outlives its timeout', async () => {
    const p = pool();
    const stream = p.stream(
      async function* () {
        for (;;) {
          await new Promise((resolve) => setTimeout(resolve, 5));
          yield 1;
        }
      },
      [],
      { timeout: 50 },
    );
    const error = await (async () => {
      for await (const _ of stream);
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
  });

  it('fails the iteration with WorkerCrashedError when its worker dies mid-stream, and replaces the worker', async () => {
    const p = pool();
    const stream = p.stream(async function* () {
      for (let i = 0; ; i++) {
        await new Promise((resolve) => setTimeout(resolve, 2));
        yield i;
      }
    }, []);
    expect((await stream.next()).value).toBe(0);
    InThread.all[0]!.die(null);
    const error = await (async () => {
      for await (const _ of stream);
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect(await p.submit(() => 'replaced', [])).toBe('replaced');
    expect(InThread.all.length).toBe(2);
  });

  it('fails with DataCloneError when a yielded value cannot be sent, and closes the generator', async () => {
    const p = pool();
    const error = await (async () => {
      for await (const _ of p.stream(function* () {
        try {
          yield 1;
          yield () => 'a function';
        } finally {
          (globalThis as unknown as { finally: number }).finally = 1;
        }
      }, []));
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataCloneError);
    expect((error as Error).message).toMatch(/a value the stream yielded/);
    expect(g.finally).toBe(1);
  });

  it('validates its arguments at once', () => {
    const p = pool();
    const gen = function* () {};
    expect(() => p.stream(gen, [], { highWaterMark: 0 })).toThrow(RangeError);
    expect(() => p.stream(gen, [], { highWaterMark: 1.5 })).toThrow(RangeError);
    expect(() => p.stream(gen, [], { transferResult: 'yes' as never })).toThrow(
      /The "options.transferResult" property must be of type boolean/,
    );
    expect(() => p.stream(42 as never, [] as never)).toThrow(TypeError);
    expect(() => p.stream(gen, 'x' as never)).toThrow(/The "args" argument must be an array/);
  });
});
