/**
 * map vs p-map with a limit of 8 over an array and over a generator, and the memory of map/mapStream over a
 * 1,000,000-item generator at concurrency 16.
 */
import { map, mapStream } from '@x/gather';
import pMap, { pMapIterable } from 'p-map';
import { measured, quick, throughput, type Workload } from '../../../scripts/bench/kit.ts';
import { gc } from './expose-gc.ts';

const N = quick ? 20_000 : 100_000;
const BIG = quick ? 200_000 : 1_000_000;
const rounds = quick ? 3 : 9;

const work = async (x: number) => {
  await null;
  return x;
};

function* ids(n: number) {
  for (let i = 0; i < n; i++) yield i;
}

/** Peak heapUsed above the post-GC baseline while `run` goes through its items, sampled every 1,000 items. */
async function peakHeap(run: (fn: (x: number) => Promise<number>) => Promise<unknown>): Promise<number> {
  gc();
  const base = process.memoryUsage().heapUsed;
  let peak = 0;
  await run(async (x) => {
    if (x % 1000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed - base);
    await null;
    return x;
  });
  return peak / 2 ** 20;
}

export default async (): Promise<Workload[]> => {
  const items = Array.from({ length: N }, (_, i) => i);

  const overArray = await throughput(
    `limited to 8: ${N.toLocaleString('en-US')} items of an array`,
    N,
    [
      { name: '@x/gather map (8)', ours: true, run: () => map(items, work, { concurrency: 8 }) },
      { name: 'p-map (8)', run: () => pMap(items, work, { concurrency: 8 }) },
    ],
    { rounds, target: '<= 1.0x p-map time (ratio >= 1.0)' },
  );

  const overGenerator = await throughput(
    `limited to 8: ${N.toLocaleString('en-US')} items of a generator`,
    N,
    [
      { name: '@x/gather map (8)', ours: true, run: () => map(ids(N), work, { concurrency: 8 }) },
      { name: 'p-map (8)', run: () => pMap(ids(N), work, { concurrency: 8 }) },
    ],
    { rounds, target: '<= 1.0x p-map time (ratio >= 1.0)' },
  );

  const drain = async (iterable: AsyncIterable<unknown>) => {
    for await (const _ of iterable);
  };

  // Issue 17: completion order. `fn` takes 0-3 microtask turns by item, so results really come out of order.
  const uneven = async (x: number) => {
    for (let k = x % 4; k > 0; k--) await null;
    return x;
  };
  const unordered = await throughput(
    `unordered stream, limited to 8: ${N.toLocaleString('en-US')} items of a generator`,
    N,
    [
      {
        name: '@x/gather mapStream (8, ordered: false)',
        ours: true,
        run: () => drain(mapStream(ids(N), uneven, { concurrency: 8, ordered: false })),
      },
      {
        name: 'p-map pMapIterable (8, preserveOrder: false)',
        run: () => drain(pMapIterable(ids(N), uneven, { concurrency: 8, preserveOrder: false })),
      },
    ],
    { rounds, target: '>= 1.0x pMapIterable ops/s' },
  );
  const label = (n: number) => `${(n / 1e6).toLocaleString('en-US')}M`;
  const small = BIG / 10;
  const memory = measured(
    `peak heap above baseline, generator of ${label(BIG)} items, concurrency 16 (vs ${label(small)} items)`,
    'MiB',
    'lower',
    [
      {
        name: `@x/gather mapStream, ${label(BIG)} items`,
        ours: true,
        value: await peakHeap((fn) => drain(mapStream(ids(BIG), fn, { concurrency: 16 }))),
      },
      {
        name: `@x/gather mapStream, ${label(small)} items`,
        value: await peakHeap((fn) => drain(mapStream(ids(small), fn, { concurrency: 16 }))),
      },
      {
        name: `@x/gather map (result array), ${label(BIG)} items`,
        value: await peakHeap((fn) => map(ids(BIG), fn, { concurrency: 16 })),
      },
      {
        name: `p-map pMapIterable, ${label(BIG)} items`,
        value: await peakHeap((fn) => drain(pMapIterable(ids(BIG), fn, { concurrency: 16 }))),
      },
      {
        name: `p-map (result array), ${label(BIG)} items`,
        value: await peakHeap((fn) => pMap(ids(BIG), fn, { concurrency: 16 })),
      },
    ],
    'flat: mapStream over 1M about the same as over 100k',
  );

  return [overArray, overGenerator, unordered, memory];
};
