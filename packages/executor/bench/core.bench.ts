import { assertCloneable, deserializeError, serializeError, toRemoteRef } from '@x/executor';
import { quick, throughput, type Workload } from '../../../scripts/bench/kit.ts';

const N = quick ? 20_000 : 100_000;
const row = {
  id: 1,
  name: 'Ada',
  tags: ['a', 'b', 'c'],
  created: new Date(0),
  scores: [1, 2, 3, 4, 5, 6, 7, 8],
};
class QuotaError extends RangeError {
  override name = 'QuotaError';
  code = 'E_QUOTA';
}
const error = new QuotaError('over quota', { cause: new Error('db') });

/** The per-task costs the scheduler adds on top of postMessage: clone checks, naming code, error transport. */
export default async (): Promise<Workload[]> => {
  const loop = (fn: () => unknown) => () => {
    for (let i = 0; i < N; i++) fn();
  };
  const check = await throughput(
    'check that a task argument can be sent (a small record)',
    N,
    [
      {
        name: '@x/executor assertCloneable (walk)',
        ours: true,
        run: loop(() => assertCloneable(row, 'argument 1')),
      },
      { name: 'structuredClone (the exact test)', run: loop(() => structuredClone(row)) },
    ],
    { target: 'cheaper than a clone' },
  );
  const inc = (x: number) => x + 1;
  const naming = await throughput('name an inline function for a worker (same function object)', N, [
    { name: '@x/executor toRemoteRef (cached)', ours: true, run: loop(() => toRemoteRef(inc)) },
    { name: 'Function.prototype.toString (what sending source needs)', run: loop(() => inc.toString()) },
  ]);
  const errors = await throughput('carry an error across (custom class, code, cause)', N / 10, [
    {
      name: '@x/executor serializeError + structuredClone + deserializeError',
      ours: true,
      run: () => {
        for (let i = 0; i < N / 10; i++) deserializeError(structuredClone(serializeError(error)));
      },
    },
    {
      name: 'structuredClone(error) (drops name and code, as piscina does)',
      run: () => {
        for (let i = 0; i < N / 10; i++) structuredClone(error);
      },
    },
  ]);
  return [check, naming, errors];
};
