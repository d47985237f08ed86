// The short version of `pnpm soak` (scripts/soak) for threads: a few seconds per scenario.
import { ThreadPool } from '@x/to-thread';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../scripts/soak/harness.ts';
import { scenarios } from '../../../scripts/soak/scenarios.ts';

const QUICK = 0.05;
const make = (options: Record<string, unknown>) => new ThreadPool({ maxThreads: 2, ...options });
const picked = scenarios(QUICK).filter(
  (s) => s.pool === 'thread' && !/every (1 s|250 ms|5 ms)/.test(s.name), // the other rates run in `pnpm soak`
);

describe('ThreadPool under faults (soak, short)', () => {
  it('has the scenarios of issue 20', () => {
    expect(picked.map((s) => s.name)).toEqual([
      'terminate every 25 ms for 1.5 s',
      'heap exhaustion',
      'sync hangs under timeout',
      'abort storm',
      'max tasks per worker churn, with aborts',
      'shutdown({ cancelPending }) mid-run, terminate every 25 ms',
    ]);
  });

  for (const scenario of picked) {
    it(`${scenario.name}: every task settles once, with its value or the fault it met; nothing leaks`, async () => {
      // Churn restarts a thread every 25 tasks: fewer tasks keep it to seconds.
      const report = await runScenario(
        /churn/.test(scenario.name) ? { ...scenario, tasks: 100 } : scenario,
        make,
      );
      expect(report.lostExamples).toEqual([]);
      expect(report.lost).toBe(0);
      expect(report.ok).toBeGreaterThan(0);
      expect(
        report.ok + report.crashed + report.aborted + report.timedOut + report.cancelled + report.ooms,
      ).toBe(report.tasks);
      // A fault costs at most the tasks in flight on the thread it ended (concurrentTasksPerThread: 64 by
      // default): the tasks it had not started run elsewhere.
      expect(report.crashed).toBeLessThanOrEqual((report.kills + report.hangs + report.ooms) * 64);
      if (/heap/.test(scenario.name)) expect(report.ooms).toBeGreaterThan(0);
      if (/hangs/.test(scenario.name)) expect(report.timedOut).toBeGreaterThan(0);
      if (/cancelPending/.test(scenario.name)) expect(report.cancelled).toBeGreaterThan(0);
      else expect(report.timeToHealthy).toBeLessThan(15_000);
      expect(report.leakedHandles).toEqual([]);
    }, 60_000);
  }
});
