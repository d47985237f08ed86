/**
 * The soak's scenarios, for a pool of threads and a pool of child processes (2 workers each). `scale`
 * multiplies the task counts: 1 is the long soak (`pnpm soak`), about 0.05 the CI version.
 */
import type { Scenario } from './harness.ts';

/** The mix of issue 20: 1 in 13 a 3 ms CPU task, 1 in 97 aborted at a random moment, 1 in 101 `timeout: 1`. */
const ISSUE_MIX = { cpuOneIn: 13, abortOneIn: 97, timeoutOneIn: 101 } as const;

export function scenarios(scale = 1): Scenario[] {
  const n = (tasks: number) => Math.max(50, Math.round(tasks * scale));
  // Kills stop after this long: a storm faster than a worker can start (a loaded host) holds every task back
  // until it ends, and the run must end.
  const killFor = scale < 1 ? 1500 : 10_000;
  const list: Scenario[] = [];
  for (const pool of ['process', 'thread'] as const) {
    const kill = pool === 'process' ? 'SIGKILL' : 'terminate';
    list.push(
      // Slower than a worker starts even on a loaded host: most kills land on a busy worker.
      {
        name: `${kill} every 1 s for ${killFor / 1000} s`,
        pool,
        tasks: n(20_000),
        killEvery: 1000,
        killFor,
        ...ISSUE_MIX,
      },
      {
        name: `${kill} every 250 ms for ${killFor / 1000} s`,
        pool,
        tasks: n(20_000),
        killEvery: 250,
        killFor,
        ...ISSUE_MIX,
      },
      {
        name: `${kill} every 25 ms for ${killFor / 1000} s`,
        pool,
        tasks: n(20_000),
        killEvery: 25,
        killFor,
        ...ISSUE_MIX,
      },
      // Faster than any worker can start: every start is interrupted until the storm stops.
      {
        name: `${kill} every 5 ms for ${killFor / 1000} s`,
        pool,
        tasks: n(5_000),
        killEvery: 5,
        killFor,
        ...ISSUE_MIX,
      },
      {
        name: 'heap exhaustion',
        pool,
        tasks: n(2_000),
        oomOneIn: scale < 1 ? 40 : 400,
        cpuOneIn: 13,
        options:
          pool === 'thread'
            ? { resourceLimits: { maxOldGenerationSizeMb: 24, maxYoungGenerationSizeMb: 4 } }
            : { execArgv: ['--max-old-space-size=32'] },
      },
      {
        name: 'sync hangs under timeout',
        pool,
        tasks: n(2_000),
        hangOneIn: scale < 1 ? 25 : 100,
        hangTimeout: 50,
        cpuOneIn: 13,
      },
      {
        name: 'abort storm',
        pool,
        tasks: n(10_000),
        abortOneIn: 4,
        abortWithin: 5,
        timeoutOneIn: 50,
        cpuOneIn: 13,
      },
      {
        name: 'max tasks per worker churn, with aborts',
        pool,
        tasks: n(2_000),
        options: pool === 'thread' ? { maxTasksPerThread: 25 } : { maxTasksPerChild: 25 },
        abortOneIn: 20,
        cpuOneIn: 13,
      },
      {
        name: `shutdown({ cancelPending }) mid-run, ${kill} every 25 ms`,
        pool,
        tasks: n(5_000),
        shutdownAfter: n(1_000),
        killEvery: 25,
        killFor,
        ...ISSUE_MIX,
      },
    );
  }
  return list;
}
