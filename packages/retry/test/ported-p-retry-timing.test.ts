/**
 * p-retry's own test suite, ported (part 2 of 2: delays, time limits and option checks; part 1 is
 * ported-p-retry.test.ts): https://github.com/sindresorhus/p-retry/blob/main/test.js (v7.0.0,
 * MIT License, Copyright (c) Sindre Sorhus). Test names are p-retry's, so the next reader can find the
 * original; where our contract differs, the name says "(ours: ...)" and the test asserts our behaviour.
 *
 * Option names map as: minTimeout -> minDelay, maxTimeout -> maxDelay, randomize -> jitter (full jitter,
 * a draw in [0, ceiling), where p-retry multiplies by 1..2), shouldRetry -> retryIf, onFailedAttempt ->
 * onRetry, maxRetryTime -> the deadline of the signal (a timeoutScope). The differences, on purpose:
 * - a non-Error thrown is passed through unchanged (p-retry wraps it in a TypeError);
 * - a TypeError is retried unless it carries a Node argument code (p-retry retries none but network errors);
 * - retryIf replaces the default rules entirely, so it is consulted for a TypeError or an AbortError too;
 * - onRetry runs only before a retry that will happen (p-retry calls onFailedAttempt for every failure,
 *   before shouldRetry); retryIf runs first;
 * - an attempt that fulfils after the signal aborted still resolves with its value (p-retry throws);
 * - bad options throw synchronously with a Node-style code (p-retry rejects), factor <= 0 is refused (p-retry
 *   treats it as 1), and a deadline already passed starts no attempt (p-retry's maxRetryTime: 0 runs one).
 * Not ported, for features we do not have: the AbortError class (any error named AbortError stops retrying),
 * `forever`, `unref` (a pending delay is pending work and keeps the process alive), makeRetriable, the frozen
 * context object and `retriesLeft`.
 */
import { timeoutScope } from '@x/timeout';
import { afterEach, expect, it, vi } from 'vitest';
import { thrown, trapUnhandledRejections } from '../../../scripts/test-support/waiters.js';
import { type RetryOptions, retry, TimeoutError } from '../src/index.js';

trapUnhandledRejections();

afterEach(async () => {
  if (vi.isFakeTimers()) await vi.runAllTimersAsync();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const fixtureError = new Error('fixture');
const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The delays retry waited (as onRetry reports them; the backoff tests check they are really waited). */
async function capturedDelays(options: RetryOptions): Promise<number[]> {
  const captured: number[] = [];
  await expect(
    retry(
      async () => {
        throw new Error('test');
      },
      { ...options, onRetry: (_e, _a, ms) => void captured.push(ms) },
    ),
  ).rejects.toThrow('test');
  return captured;
}

it('factor affects exponential backoff', async () => {
  vi.useFakeTimers();
  const pending = capturedDelays({ retries: 3, factor: 2, minDelay: 100, jitter: false });
  await vi.runAllTimersAsync();
  expect(await pending).toEqual([100, 200, 400]);
});

it('timeouts are incremental with factor', async () => {
  vi.useFakeTimers();
  const pending = capturedDelays({ retries: 3, factor: 0.5, minDelay: 100, jitter: false });
  await vi.runAllTimersAsync();
  expect(await pending).toEqual([100, 50, 25]);
});

it('minTimeout is respected even with small factor', async () => {
  vi.useFakeTimers();
  const pending = capturedDelays({ retries: 2, factor: 0.1, minDelay: 100, jitter: false });
  await vi.runAllTimersAsync();
  expect(await pending).toEqual([100, 10]);
});

it('maxTimeout caps retry delays', async () => {
  vi.useFakeTimers();
  const pending = capturedDelays({ retries: 3, minDelay: 100, factor: 3, maxDelay: 150, jitter: false });
  await vi.runAllTimersAsync();
  expect(await pending).toEqual([100, 150, 150]);
});

it('maxTimeout lower than minTimeout caps delay', async () => {
  const start = performance.now();
  await expect(
    retry(
      async () => {
        throw new Error('fail');
      },
      { retries: 1, minDelay: 200, maxDelay: 50, factor: 1 },
    ),
  ).rejects.toThrow('fail');
  expect(performance.now() - start).toBeLessThan(200);
});

it('randomize affects retry delays (ours: full jitter, a draw in [0, ceiling))', async () => {
  vi.useFakeTimers();
  const sequence = [0, 0.999, 0.5];
  let calls = 0;
  vi.spyOn(Math, 'random').mockImplementation(() => sequence[calls++] ?? 0);
  const pending = capturedDelays({ retries: 3, minDelay: 100, factor: 1, jitter: true });
  await vi.runAllTimersAsync();
  expect(await pending).toEqual([0, 99, 50]);
});

it('maxRetryTime limits total retry duration', async () => {
  const start = performance.now();
  using scope = timeoutScope(1000);
  await expect(
    retry(
      async () => {
        await delay(400);
        throw new Error('test');
      },
      { retries: 10, minDelay: 100, signal: scope.signal },
    ),
  ).rejects.toBeInstanceOf(TimeoutError);
  expect(performance.now() - start).toBeLessThan(1000 + 1000);
});

it('onFailedAttempt time counts toward maxRetryTime', async () => {
  let attempts = 0;
  const start = performance.now();
  using scope = timeoutScope(200);
  const error = await retry(
    async () => {
      attempts++;
      throw new Error('fail');
    },
    {
      minDelay: 0,
      signal: scope.signal,
      async onRetry() {
        await delay(300);
      },
    },
  ).catch((e) => e);
  // The deadline passed while onRetry ran: the scope's own TimeoutError, and no second attempt.
  expect(error).toBe(scope.signal.reason);
  expect(attempts).toBe(1);
  expect(performance.now() - start).toBeLessThan(1000);
});

it('signal abort during delay cancels promptly', async () => {
  const controller = new AbortController();
  const start = performance.now();
  setTimeout(() => controller.abort(fixtureError), 50);
  await expect(
    retry(
      async () => {
        throw new Error('retry');
      },
      { signal: controller.signal, retries: 5, minDelay: 500, factor: 2 },
    ),
  ).rejects.toBe(fixtureError);
  expect(performance.now() - start).toBeLessThan(1000);
});

it('aborts immediately if signal is already aborted', async () => {
  const controller = new AbortController();
  controller.abort();
  const error = await retry(
    async () => {
      throw new Error('test');
    },
    { signal: controller.signal },
  ).catch((e) => e);
  expect(error).toBeInstanceOf(DOMException);
});

it('aborts immediately if signal is already aborted with reason', async () => {
  let called = 0;
  const controller = new AbortController();
  controller.abort(fixtureError);
  await expect(
    retry(
      async () => {
        called++;
        throw new Error('should not run');
      },
      { signal: controller.signal },
    ),
  ).rejects.toBe(fixtureError);
  expect(called).toBe(0);
});

it('throws on negative retry count (ours: synchronously, RangeError)', () => {
  const error = thrown(() => retry(async () => {}, { retries: -1 }));
  expect(error).toBeInstanceOf(RangeError);
  expect(error.message).toMatch(/"options.retries" is out of range. It must be an integer >= 0 or Infinity/);
});

it('throws on non-number retries', () => {
  const error = thrown(() => retry(async () => {}, { retries: '3' as never }));
  expect(error).toBeInstanceOf(TypeError);
  expect(error.message).toMatch(/"options.retries" property must be of type number/);
});

it('throws on NaN retries', () => {
  expect(thrown(() => retry(async () => {}, { retries: Number.NaN }))).toBeInstanceOf(RangeError);
});

it('handles zero retries', async () => {
  let attempts = 0;
  await expect(
    retry(
      async () => {
        attempts++;
        throw new Error('test');
      },
      { retries: 0 },
    ),
  ).rejects.toThrow('test');
  expect(attempts).toBe(1);
});

it('onFailedAttempt still called when retries is zero (ours: no retry, so no onRetry)', async () => {
  let onRetryCount = 0;
  await expect(
    retry(
      async () => {
        throw new Error('fail');
      },
      { retries: 0, onRetry: () => void onRetryCount++ },
    ),
  ).rejects.toThrow('fail');
  expect(onRetryCount).toBe(0);
});

it('invalid numeric options throw', () => {
  for (const options of [{ factor: -1 }, { minDelay: -1 }, { maxDelay: -1 }]) {
    expect(thrown(() => retry(async () => {}, options))).toBeInstanceOf(RangeError);
  }
});

it('factor <= 0 is treated as 1 (ours: refused, RangeError)', () => {
  expect(thrown(() => retry(async () => {}, { factor: 0 })).code).toBe('ERR_OUT_OF_RANGE');
});

it('unsupported `forever` option throws', () => {
  const error = thrown(() => retry(async () => {}, { forever: true } as never));
  expect(error.message).toMatch(/"options.forever" property is not a known option/);
});

it('handles zero maxRetryTime (ours: a deadline already passed starts no attempt)', async () => {
  let attempts = 0;
  using scope = timeoutScope(0);
  await expect(
    retry(
      async () => {
        attempts++;
        throw new Error('test');
      },
      { signal: scope.signal },
    ),
  ).rejects.toBeInstanceOf(TimeoutError);
  expect(attempts).toBe(0);
});
