/**
 * Issue 15's queue workload, measured against named peers in the same run: 1,000,000 items through a queue
 * bounded at 64 with 4 producers and 4 consumers.
 * - `@x/queue` Queue (ours): `await put()` / `await get()`;
 * - Effect `Queue.bounded(64)`: 4 producer and 4 consumer fibers, `Queue.offer` / `Queue.take`;
 * - a p-queue pipeline: the 4 producers wait on `onSizeLessThan(64)` and `add()` the consumer step, run 4 at
 *   a time (p-queue is a task queue: its workers are the consumers);
 * - it-pushable: the 4 producers wait on `onEmpty()` while 64 items are buffered; it has one reader by
 *   design, so one consumer.
 * Then our peak heap for 100,000 and 1,000,000 items: flat when it does not grow with the count.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { Queue } from '@x/queue';
import { Effect, Queue as EffectQueue } from 'effect';
import { pushable } from 'it-pushable';
import PQueue from 'p-queue';
import { measured, quick, throughput, type Workload } from '../../../scripts/bench/kit.js';

if (typeof (globalThis as { gc?: unknown }).gc !== 'function') {
  v8.setFlagsFromString('--expose-gc');
  (globalThis as { gc?: unknown }).gc = vm.runInNewContext('gc');
}
const gc = (globalThis as unknown as { gc: () => void }).gc;

const ITEMS = quick ? 100_000 : 1_000_000;
const MAXSIZE = 64;
const PRODUCERS = 4;
const CONSUMERS = 4;

/** Ours; `onItem` lets the heap workload sample memory as items flow. */
async function ours(items = ITEMS, onItem?: (n: number) => void) {
  const q = new Queue<number>({ maxsize: MAXSIZE });
  const per = items / PRODUCERS;
  let seen = 0;
  let sum = 0;
  const producer = async (p: number) => {
    for (let i = 0; i < per; i++) await q.put(p * per + i);
  };
  const consumer = async () => {
    for (;;) {
      const item = await q.get();
      if (item < 0) return;
      sum += item;
      if (onItem && ++seen % 10_000 === 0) onItem(seen);
    }
  };
  const consumers = Array.from({ length: CONSUMERS }, consumer);
  await Promise.all(Array.from({ length: PRODUCERS }, (_, p) => producer(p)));
  for (let c = 0; c < CONSUMERS; c++) await q.put(-1);
  await Promise.all(consumers);
  return sum;
}

async function effect() {
  const per = ITEMS / PRODUCERS;
  await Effect.runPromise(
    Effect.gen(function* () {
      const q = yield* EffectQueue.bounded<number>(MAXSIZE);
      let sum = 0;
      const producer = (p: number) =>
        Effect.gen(function* () {
          for (let i = 0; i < per; i++) yield* EffectQueue.offer(q, p * per + i);
        });
      const consumer = Effect.gen(function* () {
        for (;;) {
          const item = yield* EffectQueue.take(q);
          if (item < 0) return;
          sum += item;
        }
      });
      const consumers = yield* Effect.forkAll(Array.from({ length: CONSUMERS }, () => consumer));
      yield* Effect.all(
        Array.from({ length: PRODUCERS }, (_, p) => producer(p)),
        { concurrency: 'unbounded', discard: true },
      );
      for (let c = 0; c < CONSUMERS; c++) yield* EffectQueue.offer(q, -1);
      yield* consumers.await;
      return sum;
    }),
  );
}

async function pQueuePipeline() {
  const q = new PQueue({ concurrency: CONSUMERS });
  const per = ITEMS / PRODUCERS;
  let sum = 0;
  const consume = async (item: number) => {
    sum += item;
  };
  const producer = async (p: number) => {
    for (let i = 0; i < per; i++) {
      if (q.size >= MAXSIZE) await q.onSizeLessThan(MAXSIZE);
      void q.add(() => consume(p * per + i));
    }
  };
  await Promise.all(Array.from({ length: PRODUCERS }, (_, p) => producer(p)));
  await q.onIdle();
  return sum;
}

async function itPushable() {
  const source = pushable<number>({ objectMode: true });
  const per = ITEMS / PRODUCERS;
  let sum = 0;
  const consumer = (async () => {
    for await (const item of source) sum += item;
  })();
  const producer = async (p: number) => {
    for (let i = 0; i < per; i++) {
      while (source.readableLength >= MAXSIZE) await source.onEmpty();
      source.push(p * per + i);
    }
  };
  await Promise.all(Array.from({ length: PRODUCERS }, (_, p) => producer(p)));
  source.end();
  await consumer;
  return sum;
}

/** Peak heap above the starting point while `items` flow through our queue, in MB. */
async function peakHeap(items: number) {
  gc();
  const base = process.memoryUsage().heapUsed;
  let peak = 0;
  await ours(items, () => {
    peak = Math.max(peak, process.memoryUsage().heapUsed - base);
  });
  return peak / 1024 / 1024;
}

export default async function (): Promise<Workload[]> {
  const small = quick ? 20_000 : 100_000;
  const rounds = quick ? 1 : 3;
  const heapSmall: number[] = [];
  const heapLarge: number[] = [];
  for (let r = 0; r < rounds; r++) {
    heapSmall.push(await peakHeap(small));
    heapLarge.push(await peakHeap(ITEMS));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  return [
    await throughput(
      `${ITEMS.toLocaleString('en-US')} items through a queue of maxsize 64, 4 producers, 4 consumers`,
      ITEMS,
      [
        { name: '@x/queue Queue', ours: true, run: () => ours() },
        { name: 'effect Queue.bounded', run: effect },
        { name: 'p-queue pipeline (onSizeLessThan + add)', run: pQueuePipeline },
        { name: 'it-pushable (onEmpty, 1 consumer)', run: itPushable },
      ],
      { rounds: quick ? 1 : 3, target: 'ahead of each' },
    ),
    measured(
      'peak heap growth of @x/queue, 1,000,000 vs 100,000 items (maxsize 64)',
      'MB',
      'lower',
      [
        {
          name: `@x/queue, ${ITEMS.toLocaleString('en-US')} items`,
          ours: true,
          value: median(heapLarge),
          detail: { rounds: heapLarge },
        },
        {
          name: `@x/queue, ${small.toLocaleString('en-US')} items`,
          value: median(heapSmall),
          detail: { rounds: heapSmall },
        },
      ],
      'about 1x: flat as the count grows',
    ),
  ];
}
