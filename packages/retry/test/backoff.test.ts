import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { trapUnhandledRejections } from '../../../scripts/test-support/waiters.js';
import { backoffDelay } from '../src/backoff.js';
import { retry } from '../src/index.js';

trapUnhandledRejections();

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const failing = () => Promise.reject(new Error('down'));

/**
 * Runs `retry(failing, options)` under fake timers and returns the delay of each wait, measured on the fake
 * clock between one attempt's start and the next (attempts fail at once, so that is exactly the wait).
 */
async function measuredWaits(options: Parameters<typeof retry>[1]): Promise<number[]> {
  vi.useFakeTimers();
  const starts: number[] = [];
  const pending = retry(() => {
    starts.push(performance.now());
    return failing();
  }, options).catch(() => {});
  await vi.runAllTimersAsync();
  await pending;
  return starts.slice(1).map((t, i) => t - starts[i]!);
}

describe('delays without jitter', () => {
  it('are exactly minDelay * factor ** (retry - 1)', async () => {
    expect(await measuredWaits({ retries: 4, minDelay: 100, factor: 2, jitter: false })).toEqual([
      100, 200, 400, 800,
    ]);
  });

  it('are capped by maxDelay, which wins over minDelay', async () => {
    expect(
      await measuredWaits({ retries: 4, minDelay: 100, factor: 3, maxDelay: 500, jitter: false }),
    ).toEqual([100, 300, 500, 500]);
    expect(await measuredWaits({ retries: 2, minDelay: 200, maxDelay: 50, jitter: false })).toEqual([50, 50]);
  });

  it('default to 100, 200, 400 ms before the three retries', async () => {
    expect(await measuredWaits({ jitter: false })).toEqual([100, 200, 400]);
  });

  it('factor 1 keeps them constant and a factor below 1 shrinks them', async () => {
    expect(await measuredWaits({ retries: 3, minDelay: 50, factor: 1, jitter: false })).toEqual([50, 50, 50]);
    expect(await measuredWaits({ retries: 4, minDelay: 100, factor: 0.5, jitter: false })).toEqual([
      100, 50, 25, 12,
    ]);
  });

  it('do not start the next attempt a moment early', async () => {
    vi.useFakeTimers();
    let attempts = 0;
    const pending = retry(
      () => {
        attempts++;
        return failing();
      },
      { retries: 1, minDelay: 1000, jitter: false },
    ).catch(() => {});
    await vi.advanceTimersByTimeAsync(999);
    expect(attempts).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(attempts).toBe(2);
    await pending;
  });

  it('minDelay 0 still yields to the event loop between attempts (timers keep running)', async () => {
    let attempts = 0;
    let timerRan = false;
    setTimeout(() => {
      timerRan = true;
    }, 0);
    await retry(
      () => {
        attempts++;
        if (!timerRan) throw new Error('not yet');
        return attempts;
      },
      { retries: Number.POSITIVE_INFINITY, minDelay: 0 },
    );
    expect(timerRan).toBe(true);
    expect(attempts).toBeGreaterThan(1);
  });
});

describe('full jitter (the default)', () => {
  it('draws each delay uniformly in [0, ceiling), in whole ms: Math.random() scales the ceiling', async () => {
    const draws = [0, 0.5, 0.999];
    let i = 0;
    vi.spyOn(Math, 'random').mockImplementation(() => draws[i++]!);
    expect(await measuredWaits({ retries: 3, minDelay: 100, factor: 2 })).toEqual([0, 100, 399]);
  });

  it('onRetry reports the delay actually waited', async () => {
    vi.useFakeTimers();
    vi.spyOn(Math, 'random').mockReturnValue(0.25);
    const reported: number[] = [];
    const starts: number[] = [];
    const pending = retry(
      () => {
        starts.push(performance.now());
        return failing();
      },
      { retries: 2, minDelay: 400, onRetry: (_e, _a, delay) => void reported.push(delay) },
    ).catch(() => {});
    await vi.runAllTimersAsync();
    await pending;
    expect(reported).toEqual([100, 200]);
    expect(starts.slice(1).map((t, k) => t - starts[k]!)).toEqual(reported);
  });

  it('never exceeds the ceiling, never goes below 0 (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 0, max: 10_000, noNaN: true }),
        fc.double({ min: 0, max: 100_000, noNaN: true }),
        fc.double({ min: 0.1, max: 10, noNaN: true }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (retryNumber, minDelay, maxDelay, factor, r) => {
          const ceiling = Math.min(maxDelay, minDelay * factor ** (retryNumber - 1));
          const delay = backoffDelay(retryNumber, { minDelay, maxDelay, factor }, () => r);
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(ceiling);
          expect(backoffDelay(retryNumber, { minDelay, maxDelay, factor, jitter: false })).toBe(
            Math.floor(ceiling),
          );
        },
      ),
    );
  });

  it('spreads real draws over the whole range', () => {
    const delays = Array.from({ length: 2000 }, () => backoffDelay(3, { minDelay: 100 }));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThan(400);
    // Each quarter of [0, 400) gets a fair share (expected 500 each).
    for (let q = 0; q < 4; q++) {
      const n = delays.filter((d) => d >= q * 100 && d < (q + 1) * 100).length;
      expect(n).toBeGreaterThan(350);
    }
  });

  it('stays finite with retries: Infinity (the exponent overflows into maxDelay)', () => {
    expect(backoffDelay(5000, { minDelay: 100, maxDelay: 30_000, jitter: false })).toBe(30_000);
    expect(backoffDelay(5000, { minDelay: 100, maxDelay: 30_000 }, () => 0)).toBe(0);
  });
});
