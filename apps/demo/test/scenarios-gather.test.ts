import { describe, expect, it } from 'vitest';
import dynamicList from '../src/scenarios/gather/dynamic-list.js';
import lazyVsEager from '../src/scenarios/gather/lazy-vs-eager.js';
import returnExceptions from '../src/scenarios/gather/return-exceptions.js';
import sequentialVsGathered from '../src/scenarios/gather/sequential-vs-gathered.js';
import startAndFinishOrder from '../src/scenarios/gather/start-and-finish-order.js';
import { runScenario } from './scenarios-harness.js';

describe('gather/sequential-vs-gathered', () => {
  it('takes about one delay gathered, not the sum of both', async () => {
    const outcome = await runScenario(sequentialVsGathered);
    const { delayMs, sequentialMs, gatheredMs, sameResults } = outcome.data;
    expect(sameResults).toBe(true);
    expect(sequentialMs).toBeGreaterThanOrEqual(2 * delayMs * 0.9);
    expect(gatheredMs).toBeGreaterThanOrEqual(delayMs * 0.9);
    expect(gatheredMs).toBeLessThan(sequentialMs * 0.75);
    expect(outcome.ok).toBe(true);
  });
});

describe('gather/start-and-finish-order', () => {
  it('finishes C, A, B but returns A, B, C, after about the longest task', async () => {
    const outcome = await runScenario(startAndFinishOrder);
    const { started, finished, results, totalMs, longestMs, sumMs } = outcome.data;
    expect(started).toEqual(['A', 'B', 'C']);
    expect(finished).toEqual(['C', 'A', 'B']);
    expect(results).toEqual(['result of A', 'result of B', 'result of C']);
    expect(totalMs).toBeGreaterThanOrEqual(longestMs * 0.9);
    expect(totalMs).toBeLessThan(sumMs * 0.75);
    expect(outcome.ok).toBe(true);
  });

  it('says what the article printed (start order C, B, A), why asyncio really starts A, B, C, and measures A, B, C', async () => {
    expect(startAndFinishOrder.expected).toContain('C, B, A');
    expect(startAndFinishOrder.expected).toMatch(/in the order it was given/);
    expect(startAndFinishOrder.expected).toMatch(/so they start A, B, C/);
    const outcome = await runScenario(startAndFinishOrder);
    expect(outcome.measured).toMatch(/^started A, B, C; finished C, A, B;/);
  });
});

describe('gather/lazy-vs-eager', () => {
  it('aborts the operation it started when a sibling fails, while the eager promise runs on', async () => {
    const outcome = await runScenario(lazyVsEager);
    expect(outcome.data.rejection).toBe('order service is down');
    expect(outcome.data.rejectedAtMs).toBeLessThan(outcome.data.slowMs);
    expect(outcome.data.lazyAborted).toBe(true);
    expect(outcome.data.eagerFinished).toBe(true);
    expect(outcome.ok).toBe(true);
  });
});

describe('gather/return-exceptions', () => {
  it("puts the failing call's error in its place and keeps the other results", async () => {
    const outcome = await runScenario(returnExceptions);
    const [first, second, third] = outcome.data.results;
    expect(first).toBe('data from API1');
    expect(second).toBeInstanceOf(Error);
    expect((second as Error).message).toBe('API2 answered 503');
    expect(third).toBe('data from API3');
    expect(outcome.data.totalMs).toBeLessThan(outcome.data.delayMs * 2);
    expect(outcome.ok).toBe(true);
  });
});

describe('gather/dynamic-list', () => {
  it('gathers five calls in about one delay, and never runs more than two at once under concurrency 2', async () => {
    const outcome = await runScenario(dynamicList);
    const { delayMs, gatheredMs, limitedMs, maxInFlight, inOrder } = outcome.data;
    expect(inOrder).toBe(true);
    expect(gatheredMs).toBeLessThan(5 * delayMs * 0.5);
    expect(maxInFlight).toBe(2);
    // Five calls two at a time need three rounds.
    expect(limitedMs).toBeGreaterThanOrEqual(3 * delayMs * 0.9);
    expect(outcome.ok).toBe(true);
  });
});
