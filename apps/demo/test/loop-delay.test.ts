import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { watchLoopDelay } from '../src/server/loop-delay.js';

const block = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end) {}
};

describe('watchLoopDelay', () => {
  it('reports a block shorter than the interval whatever its phase (a single tick per interval could miss it)', async () => {
    const samples: number[] = [];
    const stop = watchLoopDelay(100, (d) => samples.push(d));
    try {
      // Blocks of 70 ms started at different points of the 100 ms interval.
      for (const offset of [5, 25, 45, 65, 85]) {
        await delay(250 + offset);
        const before = samples.length;
        block(70);
        await delay(150);
        const after = samples.slice(before);
        expect(after.length).toBeGreaterThan(0);
        // At least block - probe (10 ms), whatever the phase.
        expect(Math.max(...after)).toBeGreaterThanOrEqual(55);
      }
    } finally {
      stop();
    }
  });

  it('reports about one sample per interval, near zero while the loop is free, and stops', async () => {
    const samples: number[] = [];
    const stop = watchLoopDelay(50, (d) => samples.push(d));
    await delay(520);
    stop();
    const count = samples.length;
    expect(count).toBeGreaterThanOrEqual(6);
    expect(count).toBeLessThanOrEqual(11);
    expect(Math.min(...samples)).toBeLessThan(30);
    await delay(120);
    expect(samples.length).toBe(count);
  });
});
