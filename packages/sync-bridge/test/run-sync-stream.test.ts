import {
  createSyncFunction,
  DataCloneError,
  fromModule,
  runSync,
  runSyncStream,
  SyncBridge,
  SyncStream,
} from '@x/sync-bridge';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { sleepSync, thrown, trapUnhandledRejections } from './helpers.js';

trapUnhandledRejections();

/** A flag array shared with the producer in the worker: SharedArrayBuffers cross by reference. */
const flags = () => new Int32Array(new SharedArrayBuffer(16));

describe('runSyncStream', () => {
  it('yields every chunk of an async generator in order, in a plain for...of', () => {
    const chunks: string[] = [];
    for (const chunk of runSyncStream(
      async function* (words: string[]) {
        for (const w of words) {
          await new Promise((resolve) => setTimeout(resolve, 1));
          yield w;
        }
      },
      ['Hello', ', ', 'world'],
    )) {
      chunks.push(chunk);
    }
    expect(chunks).toEqual(['Hello', ', ', 'world']);
  });

  it('is a Generator typed by the chunk type', () => {
    const stream = runSyncStream(async function* () {
      yield 1;
    });
    expect(stream).toBeInstanceOf(SyncStream);
    expect(typeof stream.next).toBe('function');
    expect(stream[Symbol.iterator]()).toBe(stream);
    expectTypeOf(stream).toMatchTypeOf<Generator<number, void, undefined>>();
    expect([...stream]).toEqual([1]);
  });

  it('streams a ReadableStream and an SDK-like stream object', () => {
    const fromReadable = [
      ...runSyncStream(
        () =>
          new ReadableStream<string>({
            start(controller) {
              controller.enqueue('r1');
              controller.enqueue('r2');
              controller.close();
            },
          }),
      ),
    ];
    expect(fromReadable).toEqual(['r1', 'r2']);
    // Like the openai SDK: an awaited call returns an object that is async iterable.
    const fromSdk = [
      ...runSyncStream(async (prompt: string) => {
        await Promise.resolve();
        return {
          controller: new AbortController(),
          async *[Symbol.asyncIterator]() {
            for (const word of prompt.split(' ')) yield { choices: [{ delta: { content: word } }] };
          },
        };
      }, 'stream me please'),
    ].map((c) => c.choices[0]!.delta.content);
    expect(fromSdk).toEqual(['stream', 'me', 'please']);
  });

  it('accepts a sync iterable too', () => {
    expect([...runSyncStream((n: number) => Array.from({ length: n }, (_, i) => i * i), 4)]).toEqual([
      0, 1, 4, 9,
    ]);
  });

  it('streams a module export', () => {
    const countdown = fromModule<typeof import('./fixtures/work.mjs')['countdown']>(
      new URL('./fixtures/work.mjs', import.meta.url),
      'countdown',
    );
    expect([...runSyncStream(countdown, 3)]).toEqual([3, 2, 1]);
  });

  it('delivers each chunk as soon as it is produced, not when the stream ends', () => {
    const times: number[] = [];
    const t0 = performance.now();
    for (const _ of runSyncStream(async function* () {
      yield 'first';
      await new Promise((resolve) => setTimeout(resolve, 300));
      yield 'second';
    })) {
      times.push(performance.now() - t0);
    }
    expect(times).toHaveLength(2);
    // The first chunk arrived well before the producer's 300 ms pause ended.
    expect(times[1]! - times[0]!).toBeGreaterThan(200);
  });

  it('applies backpressure: the producer runs at most highWaterMark chunks ahead', () => {
    const produced = flags();
    using bridge = new SyncBridge({ highWaterMark: 4 });
    const stream = bridge.stream(async function* (produced: Int32Array) {
      for (let i = 0; i < 100; i++) {
        Atomics.add(produced, 0, 1);
        yield i;
      }
    }, produced);
    expect(stream.next()).toEqual({ done: false, value: 0 });
    sleepSync(300); // a slow consumer: the producer has all the time it wants
    const ahead = Atomics.load(produced, 0);
    expect(ahead, `produced ${ahead} while 1 was consumed`).toBeLessThanOrEqual(1 + 4);
    expect(ahead, `produced ${ahead} while 1 was consumed`).toBeGreaterThan(1);
    const rest = [...stream];
    expect(rest).toHaveLength(99);
    expect(Atomics.load(produced, 0)).toBe(100);
  });

  it('closes the async iterator when the consumer breaks after the first chunk (finally runs)', () => {
    const state = flags();
    const seen: number[] = [];
    for (const n of runSyncStream(async function* (state: Int32Array) {
      try {
        for (let i = 0; ; i++) {
          Atomics.store(state, 1, i);
          yield i;
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
      } finally {
        Atomics.store(state, 0, 1);
      }
    }, state)) {
      seen.push(n);
      break;
    }
    expect(seen).toEqual([0]);
    // return() waited for the producer's finally before the loop exited.
    expect(Atomics.load(state, 0)).toBe(1);
    const last = Atomics.load(state, 1);
    sleepSync(50);
    expect(Atomics.load(state, 1)).toBe(last); // and it stopped producing
  });

  it('does not hang leaving a producer stuck awaiting its next chunk (no timeout: a 2 s grace)', () => {
    const t0 = performance.now();
    for (const _ of runSyncStream(async function* () {
      yield 'first';
      await new Promise(() => {}); // an upstream that never answers
    })) {
      break;
    }
    const took = performance.now() - t0;
    expect(took).toBeGreaterThan(1_500);
    expect(took).toBeLessThan(10_000);
    expect(runSync(async () => 'still serving')).toBe('still serving');
  }, 20_000);

  it('cancels a ReadableStream source when the consumer breaks', () => {
    const state = flags();
    for (const _ of runSyncStream(
      (state: Int32Array) =>
        new ReadableStream<number>({
          pull(controller) {
            controller.enqueue(Atomics.add(state, 1, 1));
          },
          cancel() {
            Atomics.store(state, 0, 1);
          },
        }),
      state,
    )) {
      break;
    }
    expect(Atomics.load(state, 0)).toBe(1);
  });

  it('closes the async iterator when the loop body throws, and rethrows the body error', () => {
    const state = flags();
    const error = thrown(() => {
      for (const _ of runSyncStream(async function* (state: Int32Array) {
        try {
          yield 1;
          yield 2;
        } finally {
          Atomics.store(state, 0, 1);
        }
      }, state)) {
        throw new Error('consumer failed');
      }
    });
    expect(error.message).toBe('consumer failed');
    expect(Atomics.load(state, 0)).toBe(1);
  });

  it('throw() closes the producer and throws the given error; `using` closes too', () => {
    const state = flags();
    const stream = runSyncStream(async function* (state: Int32Array) {
      try {
        yield 1;
        yield 2;
      } finally {
        Atomics.add(state, 0, 1);
      }
    }, state);
    stream.next();
    expect(thrown(() => stream.throw(new Error('stop'))).message).toBe('stop');
    expect(Atomics.load(state, 0)).toBe(1);
    expect(stream.next()).toEqual({ done: true, value: undefined });
    {
      using disposable = runSyncStream(async function* (state: Int32Array) {
        try {
          yield 1;
          yield 2;
        } finally {
          Atomics.add(state, 0, 1);
        }
      }, state);
      disposable.next();
    }
    expect(Atomics.load(state, 0)).toBe(2);
  });

  it("throws the producer's error at the consumer's next step, after the chunks before it", () => {
    const stream = runSyncStream(async function* () {
      yield 'a';
      yield 'b';
      throw new TypeError('upstream broke', { cause: 'network' });
    });
    expect(stream.next()).toEqual({ done: false, value: 'a' });
    expect(stream.next()).toEqual({ done: false, value: 'b' });
    const error = thrown(() => stream.next());
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('upstream broke');
    expect(error.cause).toBe('network');
    expect(stream.next()).toEqual({ done: true, value: undefined });
  });

  it('fails the stream at a chunk it cannot clone, naming it, and runs the producer finally', () => {
    const state = flags();
    const stream = runSyncStream(async function* (state: Int32Array) {
      try {
        yield 'ok';
        yield { notCloneable: () => 1 };
        yield 'never';
      } finally {
        Atomics.store(state, 0, 1);
      }
    }, state);
    expect(stream.next().value).toBe('ok');
    const error = thrown(() => stream.next());
    expect(error).toBeInstanceOf(DataCloneError);
    expect(error.message).toContain('chunk 2');
    expect(stream.next().done).toBe(true);
    expect(runSync((s: Int32Array) => Atomics.load(s, 0), state)).toBe(1);
  });

  it('refuses a stream argument it cannot clone at the call', () => {
    const error = thrown(() => runSyncStream(async function* (_s: symbol) {}, Symbol('x')));
    expect(error).toBeInstanceOf(DataCloneError);
    expect(error.message).toContain('argument 1');
  });

  it('throws a TypeError when the function does not return an async iterable', () => {
    const error = thrown(() => [...runSyncStream(async () => 42)]);
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toContain('must return an async iterable');
    expect(thrown(() => (runSyncStream as (fn: unknown) => unknown)({})).message).toContain(
      'The "fn" argument',
    );
  });

  it('keeps receiving while the consumer awaits between steps (chunks land on the event loop)', async () => {
    const stream = runSyncStream(async function* () {
      for (let i = 0; i < 6; i++) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        yield i;
      }
    });
    const out: number[] = [];
    const blockedMs: number[] = [];
    for (;;) {
      const t0 = performance.now();
      const step = stream.next();
      blockedMs.push(performance.now() - t0);
      if (step.done) break;
      out.push(step.value);
      // The caller's event loop runs here: what the worker sends meanwhile must not be lost.
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    expect(out).toEqual([0, 1, 2, 3, 4, 5]);
    // After the first, the chunks were already there when asked for: the steps did not wait for them.
    expect(Math.max(...blockedMs.slice(2))).toBeLessThan(20);
  });

  it('lets runSync and other streams run while a stream is open', () => {
    const out: string[] = [];
    const letters = runSyncStream(async function* () {
      yield* ['a', 'b', 'c'];
    });
    for (const letter of letters) {
      const upper = runSync(async (s: string) => s.toUpperCase(), letter);
      const twice = [
        ...runSyncStream(async function* (s: string) {
          yield s;
          yield s;
        }, upper),
      ].join('');
      out.push(twice);
    }
    expect(out).toEqual(['AA', 'BB', 'CC']);
  });

  it('streams 100,000 chunks without losing or reordering any', () => {
    let count = 0;
    let ordered = true;
    for (const n of runSyncStream(async function* (total: number) {
      for (let i = 0; i < total; i++) yield i;
    }, 100_000)) {
      if (n !== count) ordered = false;
      count++;
    }
    expect(count).toBe(100_000);
    expect(ordered).toBe(true);
  });

  it('createSyncFunction + runSyncStream compose: a sync loop over a streamed answer', () => {
    const ask = createSyncFunction(async (q: string) => `answer to ${q}`);
    const words = [
      ...runSyncStream(async function* (s: string) {
        yield* s.split(' ');
      }, ask('life')),
    ];
    expect(words).toEqual(['answer', 'to', 'life']);
  });
});
