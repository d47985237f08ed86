import { describe, expect, it } from 'vitest';
import waitFor from '../src/scenarios/timeout/wait-for.js';
import { runScenario } from './scenarios-harness.js';

describe('timeout/wait-for', () => {
  it('rejects with TimeoutError at the deadline and the task is cancelled, never finished', async () => {
    const outcome = await runScenario(waitFor);
    const { errorName, timedOutAtMs, deadlineMs, taskMs, cancelled, taskState } = outcome.data;
    expect(errorName).toBe('TimeoutError');
    expect(timedOutAtMs).toBeGreaterThanOrEqual(deadlineMs * 0.9);
    expect(timedOutAtMs).toBeLessThan(taskMs * 0.6);
    expect(cancelled).toBe(true);
    expect(taskState).not.toBe('finished');
    expect(outcome.ok).toBe(true);
  });
});
