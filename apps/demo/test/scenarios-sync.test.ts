import { describe, expect, it } from 'vitest';
import cliCommand from '../src/scenarios/sync/cli-command.js';
import runSyncBasic from '../src/scenarios/sync/run-sync-basic.js';
import runSyncErrors from '../src/scenarios/sync/run-sync-errors.js';
import { runScenario } from './scenarios-harness.js';

describe('sync/run-sync-errors', () => {
  it('gets a TypeError naming the argument from runSync(null), and a Promise from a direct call', async () => {
    const outcome = await runScenario(runSyncErrors);
    expect(outcome.data.errorName).toBe('TypeError');
    expect(outcome.data.errorMessage).toContain('"fn"');
    expect(outcome.data.isPromise).toBe(true);
    expect(outcome.ok).toBe(true);
  });
});

describe('sync/cli-command', () => {
  it("returns the async client's answer as a plain string, after the client's latency", async () => {
    const outcome = await runScenario(cliCommand);
    expect(outcome.data.line).toBe('user u-42: plan team, 3 orders');
    expect(outcome.data.tookMs).toBeGreaterThanOrEqual(outcome.data.latencyMs * 0.9);
    expect(outcome.ok).toBe(true);
  });
});

describe('sync/run-sync-basic', () => {
  it('takes one delay for one call, two for two awaits in a row, and one for three gathered', async () => {
    const outcome = await runScenario(runSyncBasic);
    const { unitMs, singleMs, sequentialMs, gatheredMs } = outcome.data;
    expect(outcome.data.single).toBe('processed: hello');
    expect(outcome.data.sequential).toBe('processed: step 1 | processed: step 2');
    expect(outcome.data.gathered).toEqual(['processed: task 1', 'processed: task 2', 'processed: task 3']);
    expect(singleMs).toBeGreaterThanOrEqual(unitMs * 0.9);
    expect(sequentialMs).toBeGreaterThanOrEqual(2 * unitMs * 0.9);
    expect(gatheredMs).toBeLessThan(3 * unitMs * 0.7);
    expect(outcome.ok).toBe(true);
  });
});
