/**
 * p-map's `pMapIterable` tests, ported to `mapStream(..., { ordered: false })`.
 * Source: github:sindresorhus/p-map, test.js (the `pMapIterable - ...` tests), MIT licence, (c) Sindre Sorhus.
 *
 * Test names are p-map's. Differences, each deliberate:
 * - p-map's tests are for the ordered iterable; here they run unordered, so where its inputs settle out of order
 *   the expected values are in completion order (each test says so), and ordered variants of the same inputs run
 *   too, expecting p-map's own order.
 * - Our mapper gets `(item, { index, signal })` rather than `(item, index)`.
 * - `pMapSkip` has no counterpart (return nothing and filter instead), so that test is not ported.
 * - p-map's timing tests assert wall-clock ranges; on a shared machine we assert the order of starts instead.
 */
import { describe, expect, it } from 'vitest';
import { mapStream } from '../src/index.js';
import { sleep } from './helpers.js';

type Entry = [unknown, number];
const sharedInput: Array<Entry | Promise<Entry>> = [
  [async () => 10, 300],
  [20, 200],
  Promise.resolve([30, 100] as Entry),
];
const longerSharedInput: Entry[] = [
  [10, 300],
  [20, 200],
  [30, 100],
  [40, 50],
  [50, 25],
];
const errorInput3: Entry[] = [
  [20, 10],
  [
    async () => {
      throw new Error('bar');
    },
    100,
  ],
  [30, 100],
];

const mapper = async ([value, ms]: Entry) => {
  await sleep(ms, undefined);
  if (typeof value === 'function') value = await value();
  return value;
};

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const values: T[] = [];
  for await (const value of iterable) values.push(value);
  return values;
}

describe('ported from p-map: pMapIterable, as mapStream({ ordered: false })', () => {
  it('pMapIterable', async () => {
    // Completion order (300, 200, 100 ms); p-map's ordered answer is [10, 20, 30].
    expect(await collect(mapStream(sharedInput, mapper, { ordered: false }))).toEqual([30, 20, 10]);
    expect(await collect(mapStream(sharedInput, mapper))).toEqual([10, 20, 30]);
  });

  it('pMapIterable - index in mapper', async () => {
    const withIndex = async (entry: Entry, { index }: { index: number }) => ({
      value: await mapper(entry),
      index,
    });
    expect(await collect(mapStream(longerSharedInput, withIndex, { ordered: false }))).toEqual([
      { value: 50, index: 4 },
      { value: 40, index: 3 },
      { value: 30, index: 2 },
      { value: 20, index: 1 },
      { value: 10, index: 0 },
    ]);
  });

  it('pMapIterable - index in mapper (out-of-order-settling promises)', async () => {
    const input = [sleep(50, 'a'), sleep(10, 'b'), sleep(30, 'c')];
    const result: unknown[] = [];
    for await (const item of mapStream(input, async (value, { index }) => [value, index], {
      concurrency: 3,
      ordered: false,
    }))
      result.push(item);
    expect(result).toEqual([
      ['b', 1],
      ['c', 2],
      ['a', 0],
    ]);
  });

  it('pMapIterable - empty', async () => {
    expect(await collect(mapStream([], mapper, { ordered: false }))).toEqual([]);
  });

  it('pMapIterable - iterable that throws', async () => {
    let isFirstNextCall = true;
    const iterable: AsyncIterable<Entry> = {
      [Symbol.asyncIterator]() {
        return {
          async next() {
            if (!isFirstNextCall) return { done: true, value: undefined };
            isFirstNextCall = false;
            throw new Error('foo');
          },
        };
      },
    };
    const iterator = mapStream(iterable, mapper, { ordered: false })[Symbol.asyncIterator]();
    await expect(iterator.next()).rejects.toThrow('foo');
  });

  it('pMapIterable - mapper that throws', async () => {
    await expect(
      collect(
        mapStream(
          sharedInput,
          async () => {
            throw new Error('foo');
          },
          { ordered: false },
        ),
      ),
    ).rejects.toThrow('foo');
  });

  it('pMapIterable - stop on error', async () => {
    const output: unknown[] = [];
    let error: Error | undefined;
    try {
      for await (const value of mapStream(errorInput3, mapper, { ordered: false })) output.push(value);
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toBe('bar');
    expect(output).toEqual([20]);
  });

  it('pMapIterable - concurrency: 1', async () => {
    const started: unknown[] = [];
    const values = await collect(
      mapStream(
        sharedInput,
        (entry) => {
          started.push(entry[1]);
          return mapper(entry);
        },
        { concurrency: 1, backpressure: Number.POSITIVE_INFINITY, ordered: false },
      ),
    );
    // One at a time: completion order is input order, and each started after the one before finished.
    expect(values).toEqual([10, 20, 30]);
    expect(started).toEqual([300, 200, 100]);
  });

  it('pMapIterable - concurrency: 2', async () => {
    const startedAt = new Map<unknown, number>();
    const t0 = performance.now();
    const values = await collect(
      mapStream(
        longerSharedInput,
        (entry) => {
          startedAt.set(entry[0], performance.now() - t0);
          return mapper(entry);
        },
        { concurrency: 2, backpressure: Number.POSITIVE_INFINITY, ordered: false },
      ),
    );
    // 10 (300 ms) and 20 (200 ms) start at once; 30 takes 20's slot at ~200 ms, then 40 and 50 follow 30.
    expect(values[0]).toBe(20); // the first to complete; 10 and 30 then tie at ~300 ms
    expect(new Set(values)).toEqual(new Set([10, 20, 30, 40, 50]));
    expect(startedAt.get(10)!).toBeLessThan(50);
    expect(startedAt.get(20)!).toBeLessThan(50);
    expect(startedAt.get(30)!).toBeGreaterThanOrEqual(190);
    expect(startedAt.get(40)!).toBeGreaterThanOrEqual(startedAt.get(30)!);
  });

  it('pMapIterable - backpressure', async () => {
    let currentValue: unknown;
    const iterator = mapStream(
      longerSharedInput,
      async (entry) => {
        currentValue = await mapper(entry);
        return currentValue;
      },
      { backpressure: 2, concurrency: 2, ordered: false },
    )[Symbol.asyncIterator]();
    // Unordered, the first result is the quicker of the first two (20, 200 ms), not 10.
    const { value: value1 } = await iterator.next();
    expect(value1).toBe(20);
    // If backpressure were not respected, everything would have been mapped by now.
    await sleep(600, undefined);
    expect(currentValue).toBe(30);
    const { value: value2 } = await iterator.next();
    expect(value2).toBe(10);
    await sleep(100, undefined);
    expect(currentValue).toBe(40);
    await iterator.return?.();
  });

  it('pMapIterable - async input, backpressure > concurrency', async () => {
    async function* source() {
      yield 1;
      yield 2;
      yield 3;
    }
    const log: number[] = [];
    await collect(
      mapStream(
        source(),
        async (n) => {
          log.push(n);
          await sleep(100, undefined);
          log.push(n);
        },
        { concurrency: 1, backpressure: 2, ordered: false },
      ),
    );
    expect(log).toEqual([1, 1, 2, 2, 3, 3]);
  });
});

describe('mapStream({ ordered: false }): our own cases', () => {
  it('a slow item does not hold back the others, and concurrency stays full meanwhile', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const out: number[] = [];
    for await (const value of mapStream(
      [200, 5, 5, 5, 5, 5, 5],
      async (ms) => {
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        await sleep(ms, undefined);
        inFlight--;
        return ms;
      },
      { concurrency: 2, ordered: false },
    ))
      out.push(value);
    // Ordered, the five 5 ms items would wait behind the 200 ms one (backpressure = concurrency = 2).
    expect(out).toEqual([5, 5, 5, 5, 5, 5, 200]);
    expect(maxInFlight).toBe(2);
  });

  it('a slow consumer pauses the input at `backpressure` items started but not consumed', async () => {
    let pulled = 0;
    function* ids() {
      for (let i = 0; i < 100; i++) {
        pulled++;
        yield i;
      }
    }
    const stream = mapStream(ids(), (i) => i, { concurrency: 2, backpressure: 4, ordered: false });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    await sleep(20, undefined);
    expect(pulled).toBeLessThanOrEqual(5);
    await iterator.return?.();
  });

  it('refuses a non-boolean `ordered`', () => {
    expect(() => mapStream([1], (x) => x, { ordered: 'no' as never })).toThrow(
      'The "options.ordered" property must be of type boolean',
    );
  });
});

describe('mapStream({ ordered: false }): memory', () => {
  it('yields every result once, in completion order, while its queue is compacted (a consumer that never empties it)', async () => {
    // Every result is ready at once and the consumer takes one per turn: the queue never empties for 5,000
    // items, so its head passes 1,024 and the rest is moved to the front (the array would otherwise only grow).
    const n = 5000;
    let maxQueued = 0;
    let started = 0;
    let taken = 0;
    for await (const value of mapStream(
      Array.from({ length: n }, (_, i) => i),
      (i) => {
        started++;
        return i;
      },
      { ordered: false, backpressure: Number.POSITIVE_INFINITY },
    )) {
      expect(value).toBe(taken++);
      maxQueued = Math.max(maxQueued, started - taken);
    }
    expect(taken).toBe(n);
    expect(maxQueued).toBeGreaterThan(0);
  });
});
