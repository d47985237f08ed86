import { describe, expect, it } from 'vitest';
import createTaskScenario from '../src/scenarios/task/create-task.js';
import taskGroupScenario from '../src/scenarios/task/task-group.js';
import { runScenario } from './scenarios-harness.js';

describe('task/create-task', () => {
  it('prints "scheduled" before either task ends and awaits both in about the longer one', async () => {
    const outcome = await runScenario(createTaskScenario);
    const { doneWhenScheduled, scheduledAtMs, otherWorkAtMs, totalMs, longestMs, sumMs } = outcome.data;
    expect(doneWhenScheduled).toBe(false);
    expect(scheduledAtMs).toBeLessThan(otherWorkAtMs);
    expect(otherWorkAtMs).toBeLessThan(totalMs);
    expect(totalMs).toBeGreaterThanOrEqual(longestMs * 0.9);
    expect(totalMs).toBeLessThan(sumMs * 0.85);
    expect([outcome.data.resultA, outcome.data.resultB]).toEqual(['result of A', 'result of B']);
    expect(outcome.ok).toBe(true);
  });
});

describe('task/task-group', () => {
  it('waits for every child on leaving the block, and on a failure aborts the sibling and reports only the failure', async () => {
    const outcome = await runScenario(taskGroupScenario);
    expect([...outcome.data.finished].sort()).toEqual(['download', 'resize', 'upload']);
    expect(outcome.data.siblingOutcome).toMatch(/^aborted/);
    expect(outcome.data.failures).toEqual(['resize failed: unsupported format']);
    expect(outcome.ok).toBe(true);
  });
});
