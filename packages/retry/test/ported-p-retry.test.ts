/**
 * p-retry's own test suite, ported (part 1 of 2: retrying, errors, aborts and callbacks; part 2, delays,
 * time limits and option checks, is ported-p-retry-timing.test.ts): https://github.com/sindresorhus/p-retry/blob/main/test.js (v7.0.0,
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
import { trapUnhandledRejections } from '../../../scripts/test-support/waiters.js';
import { retry, TimeoutError } from '../src/index.js';

trapUnhandledRejections();

afterEach(async () => {
  if (vi.isFakeTimers()) await vi.runAllTimersAsync();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const fixture = Symbol('fixture');
const fixtureError = new Error('fixture');
const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fast = { minDelay: 1 } as const;

it('retries', async () => {
  let index = 0;
  const returnValue = await retry(async (_signal, attemptNumber) => {
    await delay(40);
    index++;
    return attemptNumber === 3 ? fixture : Promise.reject(fixtureError);
  }, fast);
  expect(returnValue).toBe(fixture);
  expect(index).toBe(3);
});

it('retries forever when specified', async () => {
  let attempts = 0;
  const maxAttempts = 15;
  await expect(
    retry(
      async () => {
        attempts++;
        if (attempts === maxAttempts) throw Object.assign(new Error('stop'), { name: 'AbortError' });
        throw new Error('test');
      },
      { retries: Number.POSITIVE_INFINITY, minDelay: 0 },
    ),
  ).rejects.toThrow('stop');
  expect(attempts).toBe(maxAttempts);
});

it('throws useful error message when non-error is thrown (ours: passed through unchanged)', async () => {
  await expect(
    retry(
      () => {
        throw 'foo';
      },
      { ...fast, retries: 1 },
    ),
  ).rejects.toBe('foo');
});

it('no retry on TypeError (ours: none for a TypeError of a bad argument)', async () => {
  const typeErrorFixture = Object.assign(new TypeError('type-error-fixture'), {
    code: 'ERR_INVALID_ARG_TYPE',
  });
  let index = 0;
  await expect(
    retry(async (_signal, attemptNumber) => {
      await delay(40);
      index++;
      return attemptNumber === 3 ? fixture : Promise.reject(typeErrorFixture);
    }, fast),
  ).rejects.toBe(typeErrorFixture);
  expect(index).toBe(1);
});

it('shouldRetry is not called for non-network TypeError (ours: retryIf decides every error)', async () => {
  const typeErrorFixture = new TypeError('type-error-fixture');
  let shouldRetryCalled = 0;
  await expect(
    retry(
      async () => {
        throw typeErrorFixture;
      },
      {
        ...fast,
        retryIf() {
          shouldRetryCalled++;
          return false;
        },
      },
    ),
  ).rejects.toBe(typeErrorFixture);
  expect(shouldRetryCalled).toBe(1);
});

it('retry on TypeError - failed to fetch', async () => {
  const typeErrorFixture = new TypeError('Failed to fetch');
  let index = 0;
  const returnValue = await retry(async (_signal, attemptNumber) => {
    await delay(40);
    index++;
    return attemptNumber === 3 ? fixture : Promise.reject(typeErrorFixture);
  }, fast);
  expect(returnValue).toBe(fixture);
  expect(index).toBe(3);
});

it('errors are preserved when maxRetryTime exceeded (ours: the original error is the TimeoutError cause)', async () => {
  const originalError = new Error('original error');
  using scope = timeoutScope(100);
  const error = await retry(
    async () => {
      await delay(20);
      throw originalError;
    },
    { minDelay: 200, jitter: false, signal: scope.signal },
  ).catch((e) => e);
  expect(error).toBeInstanceOf(TimeoutError);
  expect(error.cause).toBe(originalError);
});

it('aborts', async () => {
  let index = 0;
  const abortError = Object.assign(new Error('fixture'), { name: 'AbortError' });
  await expect(
    retry(async (_signal, attemptNumber) => {
      await delay(40);
      index++;
      return attemptNumber === 3 ? Promise.reject(abortError) : Promise.reject(fixtureError);
    }, fast),
  ).rejects.toBe(abortError);
  expect(index).toBe(3);
});

it('operation stops immediately on AbortError', async () => {
  let attempts = 0;
  await expect(
    retry(
      async () => {
        attempts++;
        if (attempts === 2) throw new DOMException('stop', 'AbortError');
        throw new Error('test');
      },
      { retries: 10, minDelay: 0 },
    ),
  ).rejects.toThrow('stop');
  expect(attempts).toBe(2);
});

it('shouldRetry is not called for AbortError (ours: a custom retryIf decides, so it is)', async () => {
  let shouldRetryCalled = 0;
  await expect(
    retry(
      async () => {
        throw new DOMException('stop', 'AbortError');
      },
      {
        ...fast,
        retryIf() {
          shouldRetryCalled++;
          return false;
        },
      },
    ),
  ).rejects.toThrow('stop');
  expect(shouldRetryCalled).toBe(1);
});

it('aborts with an AbortSignal', async () => {
  let index = 0;
  const controller = new AbortController();
  const error = await retry(
    async (_signal, attemptNumber) => {
      await delay(40);
      index++;
      if (attemptNumber === 3) controller.abort();
      throw fixtureError;
    },
    { ...fast, signal: controller.signal },
  ).catch((e) => e);
  expect(error).toBeInstanceOf(DOMException);
  expect(error.name).toBe('AbortError');
  expect(index).toBe(3);
});

it('preserves the abort reason (ours: a failing attempt after the abort)', async () => {
  let index = 0;
  const controller = new AbortController();
  await expect(
    retry(
      async (_signal, attemptNumber) => {
        await delay(40);
        index++;
        if (attemptNumber === 3) controller.abort(fixtureError);
        throw new Error('attempt failed');
      },
      { ...fast, signal: controller.signal },
    ),
  ).rejects.toBe(fixtureError);
  expect(index).toBe(3);
});

it('shouldRetry controls retry behavior', async () => {
  const shouldRetryError = new Error('should-retry');
  const customError = new Error('custom-error');
  let index = 0;
  await expect(
    retry(
      async () => {
        await delay(40);
        index++;
        throw index < 3 ? shouldRetryError : customError;
      },
      {
        ...fast,
        async retryIf(error) {
          return (error as Error).message === shouldRetryError.message;
        },
        retries: 10,
      },
    ),
  ).rejects.toBe(customError);
  expect(index).toBe(3);
});

it('onFailedAttempt then shouldRetry order (ours: retryIf, then onRetry only if retrying)', async () => {
  const order: string[] = [];
  await expect(
    retry(
      async () => {
        throw new Error('order');
      },
      {
        ...fast,
        retries: 1,
        onRetry() {
          order.push('onRetry');
        },
        retryIf() {
          order.push('retryIf');
          return true;
        },
      },
    ),
  ).rejects.toThrow('order');
  // The second failure spends the retries: neither is consulted again.
  expect(order).toEqual(['retryIf', 'onRetry']);
});

it('handles async shouldRetry with maxRetryTime', async () => {
  vi.useFakeTimers();
  let attempts = 0;
  const start = performance.now();
  using scope = timeoutScope(1000);
  let settledAt = 0;
  const pending = retry(
    async () => {
      attempts++;
      throw new Error('test');
    },
    {
      retries: 10,
      minDelay: 50,
      jitter: false,
      factor: 1,
      signal: scope.signal,
      async retryIf() {
        await delay(100);
        return true;
      },
    },
  ).catch((e) => {
    settledAt = performance.now();
    return e;
  });
  await vi.advanceTimersByTimeAsync(2000);
  expect(await pending).toBeInstanceOf(TimeoutError);
  expect(settledAt - start).toBeLessThanOrEqual(1000);
  expect(attempts).toBeLessThan(10);
});

it('onFailedAttempt provides correct error details', async () => {
  const retries = 5;
  let index = 0;
  let attemptNumber = 0;
  await retry(
    async (_signal, attempt) => {
      await delay(40);
      index++;
      return attempt === 3 ? fixture : Promise.reject(fixtureError);
    },
    {
      ...fast,
      onRetry(error, attempt, ms) {
        expect(error).toBe(fixtureError);
        expect(attempt).toBe(++attemptNumber);
        expect(ms).toBeGreaterThanOrEqual(0);
      },
      retries,
    },
  );
  expect(index).toBe(3);
  expect(attemptNumber).toBe(2);
});

it('onFailedAttempt is called even when shouldRetry returns false (ours: it is not)', async () => {
  const error = new Error('fail');
  let onRetryCount = 0;
  let attempts = 0;
  await expect(
    retry(
      async () => {
        attempts++;
        throw error;
      },
      { onRetry: () => void onRetryCount++, retryIf: () => false, retries: 5 },
    ),
  ).rejects.toBe(error);
  expect(attempts).toBe(1);
  expect(onRetryCount).toBe(0);
});

it('onFailedAttempt can return a promise to add a delay', async () => {
  const waitFor = 200;
  const start = performance.now();
  let isCalled = false;
  await retry(
    async () => {
      if (isCalled) return fixture;
      isCalled = true;
      throw fixtureError;
    },
    {
      minDelay: 0,
      async onRetry() {
        await delay(waitFor);
      },
    },
  );
  expect(performance.now() - start).toBeGreaterThanOrEqual(waitFor - 1);
});

it('onFailedAttempt can throw to abort retries', async () => {
  const error = new Error('thrown from onFailedAttempt');
  await expect(
    retry(
      async () => {
        throw fixtureError;
      },
      {
        onRetry() {
          throw error;
        },
      },
    ),
  ).rejects.toBe(error);
});

it('onFailedAttempt can be undefined', async () => {
  const error = new Error('thrown from onFailedAttempt');
  await expect(
    retry(
      () => {
        throw error;
      },
      { ...fast, onRetry: undefined, retries: 1 },
    ),
  ).rejects.toBe(error);
});

it('shouldRetry can be undefined', async () => {
  const error = new Error('thrown from onFailedAttempt');
  await expect(
    retry(
      () => {
        throw error;
      },
      { ...fast, retryIf: undefined, retries: 1 },
    ),
  ).rejects.toBe(error);
});

it('handles synchronous input function', async () => {
  let attempts = 0;
  await expect(
    retry(
      () => {
        attempts++;
        throw new Error('test');
      },
      { retries: 2, minDelay: 0 },
    ),
  ).rejects.toThrow('test');
  expect(attempts).toBe(3);
});

it('aborts retries if input function returns null', async () => {
  let attempts = 0;
  const result = await retry(
    () => {
      attempts++;
      return null;
    },
    { retries: 2 },
  );
  expect(attempts).toBe(1);
  expect(result).toBe(null);
});

it('handles non-Error rejection values (ours: retried, then passed through unchanged)', async () => {
  let attempts = 0;
  await expect(
    retry(
      () => {
        attempts++;
        return Promise.reject('string rejection');
      },
      { retries: 1, minDelay: 0 },
    ),
  ).rejects.toBe('string rejection');
  expect(attempts).toBe(2);
});

it('preserves user stack trace through async retries', async () => {
  async function foo2() {
    return await retry(
      async () => {
        throw new Error('foo2 failed');
      },
      { retries: 1, minDelay: 1 },
    );
  }
  async function foo1() {
    return await foo2();
  }
  const error = await foo1().catch((e) => e);
  // The error of the second attempt, thrown after a timer: only async stack frames can name the callers.
  const stack: string = error.stack;
  expect(stack).toMatch(/Error: foo2 failed/);
  const lines = stack.split('\n');
  const foo2Index = lines.findIndex((line) => /\bfoo2\b/.test(line) && !/failed/.test(line));
  const foo1Index = lines.findIndex((line) => /\bfoo1\b/.test(line));
  expect(foo2Index).toBeGreaterThan(0);
  expect(foo1Index).toBeGreaterThan(foo2Index);
});

it('throws error from shouldRetry', async () => {
  const thrownError = new Error('shouldRetry failure');
  await expect(
    retry(
      async () => {
        throw new Error('operation failed');
      },
      {
        retryIf() {
          throw thrownError;
        },
      },
    ),
  ).rejects.toBe(thrownError);
});
