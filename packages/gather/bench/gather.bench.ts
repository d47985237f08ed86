/**
 * gather vs the Node peers on the workloads: 100,000 already-resolving functions unbounded, and
 * 100,000 functions that `await null` with a limit of 8.
 */
import { gather } from '@x/gather';
import { Effect } from 'effect';
import pAll from 'p-all';
import pLimit from 'p-limit';
import pMap from 'p-map';
import { quick, throughput, type Workload } from '../../../scripts/bench/kit.ts';
import './expose-gc.ts';

const N = quick ? 20_000 : 100_000;
/** The machine is shared and noisy: more interleaved rounds make the median trustworthy. */
const rounds = quick ? 3 : 15;

export default async (): Promise<Workload[]> => {
  const resolving = Array.from({ length: N }, (_, i) => () => Promise.resolve(i));
  const awaiting = Array.from({ length: N }, (_, i) => async () => {
    await null;
    return i;
  });
  const call = (fn: () => Promise<number>) => fn();

  const unbounded = await throughput(
    `unbounded: ${N.toLocaleString('en-US')} already-resolving functions`,
    N,
    [
      { name: '@x/gather gather', ours: true, run: () => gather(resolving) },
      { name: 'Promise.all', run: () => Promise.all(resolving.map(call)) },
      { name: 'p-all', run: () => pAll(resolving) },
      { name: 'p-map', run: () => pMap(resolving, call) },
    ],
    { rounds, target: '<= 1.3x Promise.all time (ratio >= 0.77)' },
  );

  // Effect.all with unbounded concurrency takes ~20 s per 100,000 functions here (it grows worse than linearly),
  // which would dominate the interleaved rounds above; it gets its own, smaller workload.
  const few = resolving.slice(0, N / 10);
  const unboundedEffect = await throughput(
    `unbounded: ${few.length.toLocaleString('en-US')} already-resolving functions, with Effect`,
    few.length,
    [
      { name: '@x/gather gather', ours: true, run: () => gather(few) },
      { name: 'Promise.all', run: () => Promise.all(few.map(call)) },
      {
        name: 'Effect.all (unbounded)',
        run: () =>
          Effect.runPromise(
            Effect.all(
              few.map((f) => Effect.promise(f)),
              { concurrency: 'unbounded' },
            ),
          ),
      },
    ],
    { rounds },
  );

  const limited = await throughput(
    `limited to 8: ${N.toLocaleString('en-US')} functions that await null`,
    N,
    [
      {
        name: '@x/gather gather (concurrency 8)',
        ours: true,
        run: () => gather(awaiting, { concurrency: 8 }),
      },
      {
        name: 'p-limit (8), one limit() per function',
        run: () => {
          const limit = pLimit(8);
          return Promise.all(awaiting.map((fn) => limit(fn)));
        },
      },
      { name: 'p-map (8)', run: () => pMap(awaiting, call, { concurrency: 8 }) },
      { name: 'p-all (8)', run: () => pAll(awaiting, { concurrency: 8 }) },
      {
        name: 'Effect.all (8)',
        run: () =>
          Effect.runPromise(
            Effect.all(
              awaiting.map((f) => Effect.promise(f)),
              { concurrency: 8 },
            ),
          ),
      },
    ],
    { rounds, target: 'within 1.1x of p-limit (ratio >= 0.91); stretch: as fast as p-map' },
  );

  return [unbounded, unboundedEffect, limited];
};
