import { describe, expect, it } from 'vitest';
import processCpuBound from '../src/scenarios/process/cpu-bound.js';
import processPoolParallel from '../src/scenarios/process/pool-parallel.js';
import processPoolSubmit from '../src/scenarios/process/pool-submit.js';
import { workloadNote } from '../src/scenarios/shared/cpu.js';
import threadCpuBound from '../src/scenarios/thread/cpu-bound.js';
import threadPoolParallel from '../src/scenarios/thread/pool-parallel.js';
import threadPoolSubmit from '../src/scenarios/thread/pool-submit.js';
import { defaultCpuIterations } from '../src/tour/context.js';
import type { Scenario } from '../src/tour/scenario.js';
import { runScenario } from './scenarios-harness.js';

// The same scenarios exist for a ThreadPool and a ProcessPool (the seed's executor.submit tests, and its
// CPU-bound example); they must show the same outcomes.
interface CpuData {
  mainMs: number;
  correct: boolean;
}
const executors: Array<{
  topic: string;
  where: string;
  cpuBound: Scenario<CpuData>;
  poolSubmit: typeof threadPoolSubmit;
  poolParallel: typeof threadPoolParallel;
  pooledMs: (data: CpuData) => number;
}> = [
  {
    topic: 'thread',
    where: 'on two threads',
    cpuBound: threadCpuBound,
    poolSubmit: threadPoolSubmit,
    poolParallel: threadPoolParallel,
    pooledMs: (data) => (data as CpuData & { threadMs: number }).threadMs,
  },
  {
    topic: 'process',
    where: 'in two child processes',
    cpuBound: processCpuBound,
    poolSubmit: processPoolSubmit,
    poolParallel: processPoolParallel,
    pooledMs: (data) => (data as CpuData & { poolMs: number }).poolMs,
  },
];

describe.each(executors)(
  '$topic scenarios',
  ({ topic, where, cpuBound, poolSubmit, poolParallel, pooledMs }) => {
    // Other programs share the two cores: a run they starve of a core is tried again, the bound never loosened.
    it(`${topic}/cpu-bound sums faster ${where} than twice on the main thread (2 cores), with exact results`, {
      timeout: 30_000,
      retry: 2,
    }, async () => {
      const outcome = await runScenario(cpuBound, { cpuIterations: 50_000_000 });
      expect(outcome.data.correct).toBe(true);
      // The measured line states both sizes: ours and the article's, and why they differ.
      expect(outcome.measured).toMatch(
        /^summed 50,000,000 numbers per call, 5× the article's range\(10_000_000\): V8 sums the article's 10,000,000 in about 15 ms/,
      );
      expect(pooledMs(outcome.data)).toBeLessThan(outcome.data.mainMs * 0.9);
      expect(outcome.ok).toBe(true);
    });

    it(`${topic}/pool-submit returns from submit at once, takes several arguments, and re-throws a TypeError from the task`, async () => {
      const outcome = await runScenario(poolSubmit);
      const { taskMs, submitReturnedMs, resultMs, result, sum, errorName, errorMessage } = outcome.data;
      expect(submitReturnedMs).toBeLessThan(taskMs * 0.2);
      expect(resultMs).toBeGreaterThanOrEqual(taskMs * 0.9);
      expect(result).toBe('result of task A');
      expect(sum).toBe(30);
      expect([errorName, errorMessage]).toEqual(['TypeError', 'the task failed on purpose']);
      expect(outcome.ok).toBe(true);
    });

    it(`${topic}/pool-parallel runs 1, 2 and 3 s tasks in about 3 s, and three 1 s tasks at once in about a third of one-by-one`, async () => {
      const outcome = await runScenario(poolParallel);
      const { mixedMs, mixedLongestMs, sequentialMs, parallelMs, unitMs } = outcome.data;
      expect(mixedMs).toBeGreaterThanOrEqual(mixedLongestMs * 0.9);
      expect(mixedMs).toBeLessThan(6 * unitMs * 0.75);
      expect(sequentialMs).toBeGreaterThanOrEqual(3 * unitMs * 0.9);
      expect(parallelMs).toBeLessThan(sequentialMs * 0.6);
      expect(outcome.ok).toBe(true);
    });
  },
);

describe('the CPU-bound workload', () => {
  it("states the tour's size next to the article's range(10_000_000), and why it is larger", () => {
    expect(workloadNote(defaultCpuIterations)).toBe(
      "summed 100,000,000 numbers per call, 10× the article's range(10_000_000): V8 sums the article's " +
        "10,000,000 in about 15 ms, too short to measure past a worker's start-up",
    );
    expect(workloadNote(10_000_000)).toBe("summed 10,000,000 numbers per call, the article's own size");
  });
});
