/**
 * Issue 17: `race` of 2 functions (each given its own signal, the loser aborted) against `Promise.race` of 2 with
 * the same two `AbortController`s made and aborted by hand (target: <= 1.5x its time), and `any` against
 * `Promise.any` the same way.
 */
import { any, race } from '@x/gather';
import { quick, throughput, type Workload } from '../../../scripts/bench/kit.ts';
import './expose-gc.ts';

const CALLS = quick ? 5_000 : 20_000;
const rounds = quick ? 3 : 15;

export default async (): Promise<Workload[]> => {
  const a = (_signal: AbortSignal) => Promise.resolve(1);
  const b = (_signal: AbortSignal) => Promise.resolve(2);
  const ops = [a, b];
  const byHand = (combine: (values: Promise<number>[]) => Promise<number>) => {
    const c1 = new AbortController();
    const c2 = new AbortController();
    return combine([a(c1.signal), b(c2.signal)]).finally(() => {
      c1.abort();
      c2.abort();
    });
  };
  const batch = (start: () => Promise<unknown>) => () => {
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < CALLS; i++) calls.push(start());
    return Promise.all(calls);
  };

  const races = await throughput(
    `${CALLS.toLocaleString('en-US')} races of 2 functions`,
    CALLS,
    [
      { name: '@x/gather race([a, b])', ours: true, run: batch(() => race(ops)) },
      {
        name: 'Promise.race + 2 AbortControllers',
        run: batch(() => byHand((values) => Promise.race(values))),
      },
    ],
    { rounds, target: '<= 1.5x Promise.race time (ratio >= 0.67)' },
  );
  const anys = await throughput(
    `${CALLS.toLocaleString('en-US')} any() of 2 functions`,
    CALLS,
    [
      { name: '@x/gather any([a, b])', ours: true, run: batch(() => any(ops)) },
      {
        name: 'Promise.any + 2 AbortControllers',
        run: batch(() => byHand((values) => Promise.any(values))),
      },
    ],
    { rounds },
  );
  return [races, anys];
};
