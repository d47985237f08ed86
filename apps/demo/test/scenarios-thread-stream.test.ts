import { describe, expect, it } from 'vitest';
import threadStreamProgress from '../src/scenarios/thread/stream-progress.js';
import { runScenario } from './scenarios-harness.js';

describe('thread/stream-progress', () => {
  // Other programs share the two cores: a run they starve is tried again, the bounds never loosened.
  it('streams 100 progress reports in order while the thread hashes, with the right digest and a free event loop', {
    timeout: 60_000,
    retry: 2,
  }, async () => {
    const outcome = await runScenario(threadStreamProgress);
    const { percents, arrivals, digestOk, maxDelayMs, heartbeats } = outcome.data;
    expect(percents).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(digestOk).toBe(true);
    // Reports arrive as the hashing goes, not in one lump at the end: 50% comes well before 100% (with evenly
    // spread reports, near the middle of the first..last span; bunched at the end, next to the last).
    const span = arrivals[99]! - arrivals[0]!;
    expect(span).toBeGreaterThan(0);
    expect(arrivals[49]!).toBeLessThan(arrivals[0]! + 0.75 * span);
    // The event loop ran all along: its heartbeat ticked and it never stalled for long.
    expect(maxDelayMs).toBeLessThan(100);
    expect(heartbeats).toBeGreaterThan(0);
    expect(outcome.ok).toBe(true);
    expect(outcome.measured).toMatch(/^hashed 64 MiB on a thread in .+: 100 progress reports in order/);
  });
});
