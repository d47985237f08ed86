// The short version of `pnpm soak` (scripts/soak) for child processes: a few seconds per scenario.
import { ProcessPool } from '@x/process-pool';
import { shortSoak } from '../../../scripts/soak/short-suite.ts';

shortSoak({
  pool: 'process',
  title: 'ProcessPool under faults (soak, short)',
  make: (options) => new ProcessPool({ maxWorkers: 2, ...options }),
  names: [
    'SIGKILL every 25 ms for 1.5 s',
    'heap exhaustion',
    'sync hangs under timeout',
    'abort storm',
    'max tasks per worker churn, with aborts',
    'shutdown({ cancelPending }) mid-run, SIGKILL every 25 ms',
  ],
  // Tasks are synchronous and a child runs one at a time: a fault costs at most the task it was running.
  crashedPerFault: 1,
});
