import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DurationHistogram } from '../src/histogram.js';

describe('DurationHistogram', () => {
  it('keeps min, max, mean exact and percentiles within about 3 % of the exact ones', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1e9, noNaN: true }), { minLength: 1, maxLength: 500 }),
        (values) => {
          const h = new DurationHistogram();
          for (const v of values) h.record(v);
          const sorted = [...values].sort((a, b) => a - b);
          expect(h.count).toBe(values.length);
          expect(h.min).toBe(sorted[0]);
          expect(h.max).toBe(sorted.at(-1));
          expect(h.mean).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 0);
          for (const p of [50, 90, 99]) {
            const exact = sorted[Math.max(0, Math.ceil((p / 100) * values.length) - 1)]!;
            const got = h.percentile(p);
            expect(Math.abs(got - exact)).toBeLessThanOrEqual(Math.max(exact * 0.032, 1 / 32));
          }
        },
      ),
    );
  });

  it('is all zeros when empty', () => {
    const h = new DurationHistogram();
    expect([h.count, h.mean, h.percentile(99)]).toEqual([0, 0, 0]);
  });
});
