/**
 * Issue 17: keyed `gather({ a, b, ... })` against the array form on the same operations (target: within 1.1x of
 * array gather), for the common small object (4 keys, many calls) and for one large object.
 */
import { gather } from '@x/gather';
import { quick, throughput, type Workload } from '../../../scripts/bench/kit.ts';
import './expose-gc.ts';

const CALLS = quick ? 5_000 : 20_000;
const BIG = quick ? 20_000 : 100_000;
const rounds = quick ? 3 : 15;

export default async (): Promise<Workload[]> => {
  const resolving = (i: number) => () => Promise.resolve(i);
  const fourArray = [resolving(0), resolving(1), resolving(2), resolving(3)];
  const fourKeyed = { user: fourArray[0]!, orders: fourArray[1]!, prefs: fourArray[2]!, cart: fourArray[3]! };
  const bigArray = Array.from({ length: BIG }, (_, i) => resolving(i));
  const bigKeyed = Object.fromEntries(bigArray.map((op, i) => [`k${i}`, op]));

  const small = await throughput(
    `${CALLS.toLocaleString('en-US')} calls of 4 already-resolving functions`,
    CALLS,
    [
      {
        name: '@x/gather gather({ user, orders, prefs, cart })',
        ours: true,
        run: () => {
          const calls: Promise<unknown>[] = [];
          for (let i = 0; i < CALLS; i++) calls.push(gather(fourKeyed));
          return Promise.all(calls);
        },
      },
      {
        name: '@x/gather gather([a, b, c, d])',
        run: () => {
          const calls: Promise<unknown>[] = [];
          for (let i = 0; i < CALLS; i++) calls.push(gather(fourArray));
          return Promise.all(calls);
        },
      },
    ],
    { rounds, target: 'within 1.1x of array gather (ratio >= 0.91)' },
  );

  const large = await throughput(
    `one call of ${BIG.toLocaleString('en-US')} already-resolving functions`,
    BIG,
    [
      { name: '@x/gather gather(object)', ours: true, run: () => gather(bigKeyed) },
      { name: '@x/gather gather(array)', run: () => gather(bigArray) },
    ],
    { rounds, target: 'within 1.1x of array gather (ratio >= 0.91)' },
  );
  return [small, large];
};
