/**
 * Two workloads from issue 15, each measured against named peers in the same run:
 * - 100,000 functions that `await null`, all submitted at once through one shared limit of 8:
 *   `limit(8)` (ours), p-limit 7, async-sema (`acquire`/`release` around each), and Effect's idiomatic
 *   `Effect.forEach({ concurrency: 8 })` with `Semaphore.withPermits(1)`. Effect's semaphore with every
 *   call waiting on it at once (a shared limit) is quadratic in its waiters, so that comparison has its own
 *   workload at 2,000 calls.
 * - Uncontended `Lock` acquire + release, one at a time: ours vs async-mutex's `Mutex`.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { Lock, limit } from '@x/locks';
import { Mutex } from 'async-mutex';
import { Sema } from 'async-sema';
import { Effect } from 'effect';
import pLimit from 'p-limit';
import { quick, throughput, type Workload } from '../../../scripts/bench/kit.js';

// The kit collects garbage between measured runs when `gc` is exposed, so one contender's garbage is not
// billed to the next.
if (typeof (globalThis as { gc?: unknown }).gc !== 'function') {
  v8.setFlagsFromString('--expose-gc');
  (globalThis as { gc?: unknown }).gc = vm.runInNewContext('gc');
}

const N = quick ? 20_000 : 100_000;
const LOCK_N = quick ? 100_000 : 500_000;

const work = async (i: number) => {
  await null;
  return i;
};

async function oursLimit() {
  const lim = limit(8);
  const all: Array<Promise<number>> = new Array(N);
  for (let i = 0; i < N; i++) all[i] = lim(() => work(i));
  await Promise.all(all);
}

async function pLimitRun() {
  const lim = pLimit(8);
  const all: Array<Promise<number>> = new Array(N);
  for (let i = 0; i < N; i++) all[i] = lim(() => work(i));
  await Promise.all(all);
}

async function asyncSema() {
  const sema = new Sema(8);
  const all: Array<Promise<number>> = new Array(N);
  for (let i = 0; i < N; i++) {
    all[i] = (async () => {
      await sema.acquire();
      try {
        return await work(i);
      } finally {
        sema.release();
      }
    })();
  }
  await Promise.all(all);
}

/** Effect's shared semaphore with `n` fibers waiting on it at once (what a shared limit is). */
const effectSemaphore = (n: number) => async () => {
  await Effect.runPromise(
    Effect.gen(function* () {
      const sem = yield* Effect.makeSemaphore(8);
      const indexes = Array.from({ length: n }, (_, i) => i);
      yield* Effect.forEach(indexes, (i) => sem.withPermits(1)(Effect.promise(() => work(i))), {
        concurrency: 'unbounded',
        discard: true,
      });
    }),
  );
};

/** Effect's idiomatic bounded run: `forEach` with `concurrency: 8` and the semaphore around each (never contended by more than 8). */
async function effectForEach8() {
  await Effect.runPromise(
    Effect.gen(function* () {
      const sem = yield* Effect.makeSemaphore(8);
      const indexes = Array.from({ length: N }, (_, i) => i);
      yield* Effect.forEach(indexes, (i) => sem.withPermits(1)(Effect.promise(() => work(i))), {
        concurrency: 8,
        discard: true,
      });
    }),
  );
}

// Effect's semaphore is quadratic in its waiters (1,000 waiters: ~5 s, 2,000: ~16 s, 4,000: ~81 s measured
// here), so the shared-semaphore comparison runs at a size it can finish.
const EFFECT_N = quick ? 500 : 2_000;

async function oursLimitSmall() {
  const lim = limit(8);
  const all: Array<Promise<number>> = new Array(EFFECT_N);
  for (let i = 0; i < EFFECT_N; i++) all[i] = lim(() => work(i));
  await Promise.all(all);
}

async function oursLock() {
  const lock = new Lock();
  for (let i = 0; i < LOCK_N; i++) (await lock.acquire()).release();
}

async function asyncMutex() {
  const mutex = new Mutex();
  for (let i = 0; i < LOCK_N; i++) (await mutex.acquire())();
}

export default async function (): Promise<Workload[]> {
  return [
    await throughput(
      `${N.toLocaleString('en-US')} functions awaiting null through a shared limit of 8`,
      N,
      [
        { name: '@x/locks limit', ours: true, run: oursLimit },
        { name: 'p-limit', run: pLimitRun },
        { name: 'async-sema', run: asyncSema },
        { name: 'effect forEach(concurrency: 8) + withPermits', run: effectForEach8 },
      ],
      { target: '>= 2x p-limit' },
    ),
    await throughput(
      `${EFFECT_N.toLocaleString('en-US')} functions awaiting null, all waiting on one shared semaphore of 8`,
      EFFECT_N,
      [
        { name: '@x/locks limit', ours: true, run: oursLimitSmall },
        { name: 'effect Semaphore.withPermits', run: effectSemaphore(EFFECT_N) },
      ],
      { rounds: quick ? 1 : 3 },
    ),
    await throughput(
      'uncontended Lock acquire + release',
      LOCK_N,
      [
        { name: '@x/locks Lock', ours: true, run: oursLock },
        { name: 'async-mutex Mutex', run: asyncMutex },
      ],
      { target: '>= 1.5x async-mutex' },
    ),
  ];
}
