import { describe, expect, it } from 'vitest';
import boundedQueue from '../src/scenarios/share/bounded-queue.js';
import lockLostUpdate from '../src/scenarios/share/lock-lost-update.js';
import sharedLimit from '../src/scenarios/share/shared-limit.js';
import { runScenario } from './scenarios-harness.js';

describe('share/shared-limit', () => {
  it('never lets more than 2 calls reach the upstream, and a request aborted while queued never reaches it', async () => {
    const outcome = await runScenario(sharedLimit);
    expect(outcome.data.peak).toBe(2);
    expect(outcome.data.counts).toEqual({ active: 2, pending: 4 });
    expect(outcome.data.served).toBe(5);
    expect(outcome.data.reached).not.toContain(5);
    expect(outcome.ok).toBe(true);
  });
});

describe('share/bounded-queue', () => {
  it('makes the producer wait for room (backpressure) and join() return once all items are done', async () => {
    const outcome = await runScenario(boundedQueue);
    const { maxSize, putWaitMs, joinedMs, processed, workMs } = outcome.data;
    expect(maxSize).toBeLessThanOrEqual(3);
    expect(processed).toBe(12);
    expect(putWaitMs).toBeGreaterThanOrEqual(3 * workMs);
    expect(joinedMs).toBeGreaterThanOrEqual(5 * workMs);
    expect(outcome.ok).toBe(true);
  });
});

describe('share/lock-lost-update', () => {
  it('shows lost updates without the lock and none with it', async () => {
    const outcome = await runScenario(lockLostUpdate);
    expect(outcome.data.unguarded).toBeLessThan(10);
    expect(outcome.data.guarded).toBe(10);
    expect(outcome.ok).toBe(true);
  });
});
