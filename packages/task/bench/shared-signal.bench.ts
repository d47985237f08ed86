/**
 * Issue 21: 16,000 then 64,000 tasks created at once, all handed one long-lived signal (a server's shutdown
 * signal). With one `abort` listener per task on that signal, Node's EventTarget makes the batch quadratic;
 * ours must grow about linearly (<= 6x for 4x the tasks).
 */
import { createTask } from '@x/task';
import { sharedSignal, type Workload } from '../../../scripts/bench/kit.ts';
import './expose-gc.ts';

const value = async () => 1;

export default (): Promise<Workload[]> =>
  sharedSignal('createTask(fn, { signal })', [
    { name: '@x/task createTask', ours: true, start: (signal) => createTask(value, { signal }) },
    // The floor: the same batch without a signal (its growth is the garbage collector's, not ours).
    { name: '@x/task createTask, no signal (baseline)', start: () => createTask(value) },
  ]);
