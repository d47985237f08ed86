// The short version of `pnpm soak` (scripts/soak) for threads: a few seconds per scenario.
import { ThreadPool } from '@x/to-thread';
import { shortSoak } from '../../../scripts/soak/short-suite.ts';

shortSoak({
  pool: 'thread',
  title: 'ThreadPool under faults (soak, short)',
  make: (options) => new ThreadPool({ maxThreads: 2, ...options }),
  names: [
    'terminate every 25 ms for 1.5 s',
    'heap exhaustion',
    'sync hangs under timeout',
    'abort storm',
    'max tasks per worker churn, with aborts',
    'shutdown({ cancelPending }) mid-run, terminate every 25 ms',
  ],
  // A fault costs at most the tasks in flight on the thread it ended (concurrentTasksPerThread: 64 by
  // default): the tasks it had not started run elsewhere.
  crashedPerFault: 64,
});
