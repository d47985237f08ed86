/**
 * Issue 21: 16,000 then 64,000 tiny tasks submitted at once to a pool of 2 threads, all handed one long-lived
 * signal (a job's signal given to every chunk). With one `abort` listener per task on that signal, Node's
 * EventTarget makes the batch quadratic; the pool keeps one listener per signal, so the time must grow about
 * linearly (<= 6x for 4x the tasks).
 */
import { ThreadPool } from '@x/to-thread';
import { sharedSignal, type Workload } from '../../../scripts/bench/kit.ts';

const inc = (x: number) => x + 1;

export default async (): Promise<Workload[]> => {
  let pool!: ThreadPool;
  return sharedSignal('pool.submit(fn, args, { signal }), 2 threads', [
    {
      name: '@x/to-thread ThreadPool',
      ours: true,
      setup: () => (pool = new ThreadPool({ minThreads: 2, maxThreads: 2 })),
      start: (signal, i) => pool.submit(inc, [i], { signal }),
      teardown: () => pool.shutdown(),
    },
    // The floor: the same batch without a signal, on the same pool (torn down after the last contender).
    { name: '@x/to-thread ThreadPool, no signal (baseline)', start: (_signal, i) => pool.submit(inc, [i]) },
  ]);
};
