import { describe, expect, it } from 'vitest';
import cpuBound from '../src/scenarios/process/cpu-bound.js';
import poolParallel from '../src/scenarios/process/pool-parallel.js';
import poolSubmit from '../src/scenarios/process/pool-submit.js';
import { runScenario } from './scenarios-harness.js';

describe('process/cpu-bound', () => {
  // Other programs share the two cores: a run they starve of a core is tried again, the bound never loosened.
  it('sums faster in two child processes than twice on the main thread (2 cores), with exact results', {
    timeout: 30_000,
    retry: 2,
  }, async () => {
    const outcome = await runScenario(cpuBound, { cpuIterations: 50_000_000 });
    expect(outcome.data.correct).toBe(true);
    expect(outcome.data.poolMs).toBeLessThan(outcome.data.mainMs * 0.9);
    expect(outcome.ok).toBe(true);
  });
});

describe('process/pool-submit', () => {
  it('returns from submit at once, takes several arguments, and re-throws a TypeError from the task', async () => {
    const outcome = await runScenario(poolSubmit);
    const { taskMs, submitReturnedMs, resultMs, result, sum, errorName, errorMessage } = outcome.data;
    expect(submitReturnedMs).toBeLessThan(taskMs * 0.2);
    expect(resultMs).toBeGreaterThanOrEqual(taskMs * 0.9);
    expect(result).toBe('result of task A');
    expect(sum).toBe(30);
    expect([errorName, errorMessage]).toEqual(['TypeError', 'the task failed on purpose']);
    expect(outcome.ok).toBe(true);
  });
});

describe('process/pool-parallel', () => {
  it('runs 1, 2 and 3 s tasks in about 3 s, and three 1 s tasks at once in about a third of one-by-one', async () => {
    const outcome = await runScenario(poolParallel);
    const { mixedMs, mixedLongestMs, sequentialMs, parallelMs, unitMs } = outcome.data;
    expect(mixedMs).toBeGreaterThanOrEqual(mixedLongestMs * 0.9);
    expect(mixedMs).toBeLessThan(6 * unitMs * 0.75);
    expect(sequentialMs).toBeGreaterThanOrEqual(3 * unitMs * 0.9);
    expect(parallelMs).toBeLessThan(sequentialMs * 0.6);
    expect(outcome.ok).toBe(true);
  });
});
