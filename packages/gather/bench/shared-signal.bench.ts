/**
 * Issue 21: 16,000 then 64,000 `gather` calls started at once, all handed one long-lived signal (a request's
 * signal given to every sub-operation). With one `abort` listener per call on that signal, Node's EventTarget
 * makes the batch quadratic; ours must grow about linearly (<= 6x for 4x the calls).
 */
import { gather } from '@x/gather';
import { sharedSignal, type Workload } from '../../../scripts/bench/kit.ts';
import './expose-gc.ts';

export default (): Promise<Workload[]> =>
  sharedSignal('gather([op], { signal })', [
    {
      name: '@x/gather gather',
      ours: true,
      start: (signal, i) => gather([() => Promise.resolve(i)], { signal }),
    },
    // The floor: the same batch without a signal (its growth is the garbage collector's, not ours).
    {
      name: '@x/gather gather, no signal (baseline)',
      start: (_signal, i) => gather([() => Promise.resolve(i)]),
    },
  ]);
