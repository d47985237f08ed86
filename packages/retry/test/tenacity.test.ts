/**
 * The README's "tenacity → @x/retry" table, row by row, as tests: each states what tenacity (Python,
 * https://github.com/jd/tenacity, Apache-2.0) does with the left column and checks that our right column
 * does the same. Delays are measured on Vitest's fake clock.
 */
import { timeoutScope } from '@x/timeout';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { trapUnhandledRejections } from '../../../scripts/test-support/waiters.js';
import { type RetryOptions, retry, TimeoutError } from '../src/index.js';

trapUnhandledRejections();

afterEach(async () => {
  if (vi.isFakeTimers()) await vi.runAllTimersAsync();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

class IOError extends Error {}

/** Runs a retry whose attempts fail with `fail(attempt)` (or succeed when it returns undefined). */
async function trace(options: RetryOptions, fail: (attempt: number) => Error | undefined) {
  vi.useFakeTimers();
  const t0 = performance.now();
  const starts: number[] = [];
  const pending = retry((_signal, attempt) => {
    starts.push(performance.now() - t0);
    const error = fail(attempt);
    if (error) throw error;
    return attempt;
  }, options).then(
    (value) => ({ value, error: undefined as unknown }),
    (error: unknown) => ({ value: undefined, error }),
  );
  await vi.runAllTimersAsync();
  return { ...(await pending), starts };
}

describe('tenacity → @x/retry', () => {
  it('stop=stop_after_attempt(4) is retries: 3', async () => {
    const { starts, error } = await trace({ retries: 3, minDelay: 0 }, (n) => new Error(`#${n}`));
    expect(starts).toHaveLength(4);
    expect((error as Error).message).toBe('#4');
  });

  it('stop=stop_after_delay(10) is a deadline on the signal, which also gives up before a wait past it', async () => {
    vi.useFakeTimers();
    using scope = timeoutScope(10_000);
    const { starts, error } = await trace(
      { signal: scope.signal, minDelay: 4000, factor: 1, jitter: false, retries: Number.POSITIVE_INFINITY },
      () => new Error('down'),
    );
    // Attempts at 0, 4000 and 8000; the wait after the third would end at 12000: refused at 8000.
    expect(starts).toEqual([0, 4000, 8000]);
    expect(error).toBeInstanceOf(TimeoutError);
  });

  it('wait=wait_fixed(2) is minDelay: 2000, factor: 1, jitter: false', async () => {
    const { starts } = await trace({ minDelay: 2000, factor: 1, jitter: false }, (n) =>
      n < 4 ? new Error('again') : undefined,
    );
    expect(starts).toEqual([0, 2000, 4000, 6000]);
  });

  it('wait=wait_random_exponential draws uniformly in [0, ceiling): so does the default', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const { starts } = await trace({ minDelay: 200, maxDelay: 10_000 }, (n) =>
      n < 4 ? new Error('x') : undefined,
    );
    // Ceilings 200, 400, 800: half of each.
    expect(starts).toEqual([0, 100, 300, 700]);
  });

  it('retry=retry_if_exception_type(IOError) is retryIf: (error) => error instanceof IOError', async () => {
    const fatal = new Error('not an IOError');
    const { starts, error } = await trace({ minDelay: 0, retryIf: (e) => e instanceof IOError }, (n) =>
      n < 3 ? new IOError('io') : fatal,
    );
    expect(starts).toHaveLength(3);
    expect(error).toBe(fatal);
  });

  it('before_sleep is onRetry, called with the attempt number and the sleep before each retry', async () => {
    const calls: Array<[number, number]> = [];
    await trace(
      { minDelay: 100, jitter: false, onRetry: (_e, attempt, delay) => void calls.push([attempt, delay]) },
      (n) => (n < 3 ? new Error('again') : undefined),
    );
    expect(calls).toEqual([
      [1, 100],
      [2, 200],
    ]);
  });

  it('reraise=True: the last error itself, never a wrapper (tenacity would otherwise raise RetryError)', async () => {
    const errors = [new Error('a'), new Error('b'), new Error('c')];
    const { error } = await trace({ retries: 2, minDelay: 0 }, (n) => errors[n - 1]);
    expect(error).toBe(errors[2]);
    expect((error as { errors: unknown[] }).errors).toEqual(errors);
  });

  it('retry_state.attempt_number is the second argument of op', async () => {
    const { value } = await trace({ minDelay: 0 }, (n) => (n < 3 ? new Error('x') : undefined));
    expect(value).toBe(3);
  });
});
