// The short version of `pnpm soak` as a vitest suite, shared by @x/process-pool's and @x/to-thread's
// test/soak.test.ts: the issue-20 scenarios at a few seconds each, every task accounted for.
import { describe, expect, it } from 'vitest';
import { type MakePool, runScenario } from './harness.ts';
import { scenarios } from './scenarios.ts';

const QUICK = 0.05;

export interface ShortSoak {
  /** Which scenarios of scripts/soak/scenarios.ts run (their `pool`). */
  pool: 'process' | 'thread';
  /** The describe block's title. */
  title: string;
  make: MakePool;
  /** The scenario names expected, in order (guards against a scenario silently dropped). */
  names: string[];
  /**
   * The most harmless tasks one fault (kill, hang, heap exhaustion) may fail: the tasks in flight on the
   * worker it ended.
   */
  crashedPerFault: number;
}

export function shortSoak({ pool, title, make, names, crashedPerFault }: ShortSoak): void {
  const picked = scenarios(QUICK).filter(
    (s) => s.pool === pool && !/every (1 s|250 ms|5 ms)/.test(s.name), // the other rates run in `pnpm soak`
  );
  describe(title, () => {
    it('has the scenarios of issue 20', () => {
      expect(picked.map((s) => s.name)).toEqual(names);
    });

    for (const scenario of picked) {
      it(`${scenario.name}: every task settles once, with its value or the fault it met; nothing leaks`, async () => {
        // Churn restarts a worker every 25 tasks: fewer tasks keep it to seconds.
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
        expect(report.crashed).toBeLessThanOrEqual(
          (report.kills + report.hangs + report.ooms) * crashedPerFault,
        );
        if (/heap/.test(scenario.name)) expect(report.ooms).toBeGreaterThan(0);
        if (/hangs/.test(scenario.name)) expect(report.timedOut).toBeGreaterThan(0);
        if (/cancelPending/.test(scenario.name)) expect(report.cancelled).toBeGreaterThan(0);
        else expect(report.timeToHealthy).toBeLessThan(15_000);
        expect(report.leakedHandles).toEqual([]);
      }, 60_000);
    }
  });
}
