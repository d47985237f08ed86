// The short version of `pnpm soak` (scripts/soak) for child processes: a few seconds per scenario.
import { ProcessPool } from '@x/process-pool';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../scripts/soak/harness.ts';
import { scenarios } from '../../../scripts/soak/scenarios.ts';

const QUICK = 0.05;
const make = (options: Record<string, unknown>) => new ProcessPool({ maxWorkers: 2, ...options });
const picked = scenarios(QUICK).filter(
  (s) => s.pool === 'process' && !/every (1 s|250 ms|5 ms)/.test(s.name), // the other rates run in `pnpm soak`
);

describe('ProcessPool under faults (soak, short)', () => {
  it('has the scenarios of issue 20', () => {
    expect(picked.map((s) => s.name)).toEqual([
      'SIGKILL every 25 ms for 1.5 s',
      'heap exhaustion',
      'sync hangs under timeout',
      'abort storm',
      'max tasks per worker churn, with aborts',
      'shutdown({ cancelPending }) mid-run, SIGKILL every 25 ms',
    ]);
  });

  for (const scenario of picked) {
    it(`${scenario.name}: every task settles once, with its value or the fault it met; nothing leaks`, async () => {
      // Churn restarts a child every 25 tasks: fewer tasks keep it to seconds.
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
      // Tasks are synchronous and a child runs one at a time: a fault costs at most the task it was running.
      expect(report.crashed).toBeLessThanOrEqual(report.kills + report.hangs + report.ooms);
      if (/heap/.test(scenario.name)) expect(report.ooms).toBeGreaterThan(0);
      if (/hangs/.test(scenario.name)) expect(report.timedOut).toBeGreaterThan(0);
      if (/cancelPending/.test(scenario.name)) expect(report.cancelled).toBeGreaterThan(0);
      else expect(report.timeToHealthy).toBeLessThan(15_000);
      expect(report.leakedHandles).toEqual([]);
    }, 60_000);
  }
});
