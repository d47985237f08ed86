import { afterEach, describe, expect, it, vi } from 'vitest';
import { thrown, trapUnhandledRejections } from '../../../scripts/test-support/waiters.js';
import { defaultRetryIf, retry } from '../src/index.js';

trapUnhandledRejections();

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** An operation that fails `failures` times with fresh errors, then resolves with `value`. */
function flaky<T>(failures: number, value: T) {
  const calls: Array<{ signal: AbortSignal; attempt: number }> = [];
  const errors: Error[] = [];
  const op = async (signal: AbortSignal, attempt: number) => {
    calls.push({ signal, attempt });
    if (calls.length <= failures) {
      const error = new Error(`failure ${calls.length}`);
      errors.push(error);
      throw error;
    }
    return value;
  };
  return { op, calls, errors };
}

const instant = { minDelay: 0, jitter: false } as const;

describe('retry', () => {
  it('resolves with the value of the first attempt that fulfils, and stops calling', async () => {
    const { op, calls } = flaky(2, 'ok');
    await expect(retry(op, instant)).resolves.toBe('ok');
    expect(calls.map((c) => c.attempt)).toEqual([1, 2, 3]);
  });

  it('starts the first attempt synchronously, inside the call', () => {
    let called = false;
    const pending = retry(() => {
      called = true;
      return 1;
    });
    expect(called).toBe(true);
    return pending;
  });

  it('accepts an operation that returns a plain value or throws synchronously', async () => {
    let n = 0;
    const value = await retry(() => {
      if (++n < 3) throw new Error('sync failure');
      return n;
    }, instant);
    expect(value).toBe(3);
  });

  it('makes at most retries + 1 attempts, then rejects with the last error carrying every error in `errors`', async () => {
    const { op, calls, errors } = flaky(10, 'never');
    const error = await retry(op, { ...instant, retries: 2 }).catch((e: unknown) => e);
    expect(calls).toHaveLength(3);
    expect(error).toBe(errors[2]);
    expect((error as { errors: unknown[] }).errors).toEqual(errors);
    // Non-enumerable: logging the error or spreading it does not grow with the retries.
    expect(Object.keys(error as object)).not.toContain('errors');
  });

  it('defaults to 3 retries (4 attempts)', async () => {
    const { op, calls } = flaky(10, 'never');
    await expect(retry(op, instant)).rejects.toThrow('failure 4');
    expect(calls).toHaveLength(4);
  });

  it('retries: 0 makes exactly one attempt', async () => {
    const { op, calls } = flaky(10, 'never');
    await expect(retry(op, { retries: 0 })).rejects.toThrow('failure 1');
    expect(calls).toHaveLength(1);
  });

  it('hands every attempt the caller signal and its number', async () => {
    const controller = new AbortController();
    const { op, calls } = flaky(2, 'ok');
    await retry(op, { ...instant, signal: controller.signal });
    expect(calls.map((c) => c.attempt)).toEqual([1, 2, 3]);
    for (const c of calls) expect(c.signal).toBe(controller.signal);
  });

  it('without a signal, hands the attempts one signal that is never aborted', async () => {
    const { op, calls } = flaky(1, 'ok');
    await retry(op, instant);
    expect(calls[0]!.signal).toBeInstanceOf(AbortSignal);
    expect(calls[1]!.signal).toBe(calls[0]!.signal);
    expect(calls[0]!.signal.aborted).toBe(false);
  });

  it('without a signal, makes a signal per call for an op that declares a parameter (a forgotten listener dies with it)', async () => {
    const seen: AbortSignal[] = [];
    const op = (signal: AbortSignal) => {
      seen.push(signal);
      return 1;
    };
    await retry(op);
    await retry(op);
    expect(seen[0]).not.toBe(seen[1]);
    const rest = (...args: [AbortSignal]) => op(...args);
    await retry(rest);
    expect(seen[2]).toBeInstanceOf(AbortSignal);
  });

  it('retries an op that takes no argument just the same (no signal is made for it)', async () => {
    let n = 0;
    await expect(
      retry(() => {
        if (++n < 3) throw new Error('again');
        return n;
      }, instant),
    ).resolves.toBe(3);
  });

  it('leaves a primitive, a frozen error and an AggregateError as they are', async () => {
    await expect(retry(() => Promise.reject('text'), { ...instant, retries: 1 })).rejects.toBe('text');
    const frozen = Object.freeze(new Error('frozen'));
    await expect(retry(() => Promise.reject(frozen), { ...instant, retries: 1 })).rejects.toBe(frozen);
    const aggregate = new AggregateError([new Error('inner')], 'all failed');
    const error = await retry(() => Promise.reject(aggregate), { ...instant, retries: 1 }).catch((e) => e);
    expect(error).toBe(aggregate);
    expect(error.errors).toHaveLength(1);
  });

  it('keeps only the 100 most recent errors when retrying without bound', async () => {
    let n = 0;
    const error = await retry(
      () => {
        n++;
        throw new Error(`failure ${n}`);
      },
      { ...instant, retries: Number.POSITIVE_INFINITY, retryIf: () => n < 150 },
    ).catch((e) => e);
    expect(n).toBe(150);
    expect(error.errors).toHaveLength(100);
    expect(error.errors[0].message).toBe('failure 51');
    expect(error.errors[99]).toBe(error);
  });
});

describe('retryIf', () => {
  it('stops at the first error it refuses, and rejects with that error', async () => {
    const fatal = new Error('fatal');
    let n = 0;
    const retryIf = vi.fn((error: unknown, _attempt: number) => error !== fatal);
    const error = await retry(
      () => {
        n++;
        throw n === 2 ? fatal : new Error('transient');
      },
      { ...instant, retries: 10, retryIf },
    ).catch((e) => e);
    expect(error).toBe(fatal);
    expect(n).toBe(2);
    expect(retryIf.mock.calls.map((c) => c[1])).toEqual([1, 2]);
  });

  it('may answer with a promise', async () => {
    const { op, calls } = flaky(5, 'ok');
    await expect(
      retry(op, { ...instant, retries: 10, retryIf: async (_e, attempt) => attempt < 2 }),
    ).rejects.toThrow('failure 2');
    expect(calls).toHaveLength(2);
  });

  it('rejects with what retryIf throws, and stops', async () => {
    const bug = new Error('retryIf bug');
    const { op, calls } = flaky(5, 'ok');
    await expect(
      retry(op, {
        ...instant,
        retryIf: () => {
          throw bug;
        },
      }),
    ).rejects.toBe(bug);
    expect(calls).toHaveLength(1);
  });

  it('is not consulted once the retries are spent', async () => {
    const retryIf = vi.fn(() => true);
    await expect(
      retry(() => Promise.reject(new Error('x')), { ...instant, retries: 1, retryIf }),
    ).rejects.toThrow('x');
    expect(retryIf).toHaveBeenCalledTimes(1);
  });
});

describe('defaultRetryIf', () => {
  const coded = <E extends Error>(error: E, code: string) => Object.assign(error, { code });

  it('retries ordinary errors, timeouts of an attempt, and TypeErrors without an argument code (fetch failed)', () => {
    expect(defaultRetryIf(new Error('boom'))).toBe(true);
    expect(defaultRetryIf(Object.assign(new Error('t'), { name: 'TimeoutError' }))).toBe(true);
    expect(defaultRetryIf(new TypeError('fetch failed'))).toBe(true);
    expect(defaultRetryIf(coded(new TypeError('locked'), 'ERR_INVALID_STATE'))).toBe(true);
    expect(defaultRetryIf('a string')).toBe(true);
    expect(defaultRetryIf(undefined)).toBe(true);
  });

  it('does not retry an AbortError, whoever made it', () => {
    expect(defaultRetryIf(new DOMException('stop', 'AbortError'))).toBe(false);
    expect(defaultRetryIf(Object.assign(new Error('stop'), { name: 'AbortError' }))).toBe(false);
  });

  it('does not retry a TypeError/RangeError of a bad argument (Node core codes)', () => {
    for (const code of [
      'ERR_INVALID_ARG_TYPE',
      'ERR_INVALID_ARG_VALUE',
      'ERR_MISSING_ARGS',
      'ERR_INVALID_URL',
    ]) {
      expect(defaultRetryIf(coded(new TypeError('bad'), code))).toBe(false);
    }
    expect(defaultRetryIf(coded(new RangeError('bad'), 'ERR_OUT_OF_RANGE'))).toBe(false);
    // What Node itself throws for a bad argument:
    expect(defaultRetryIf(thrown(() => new URL('not a url')))).toBe(false);
    expect(defaultRetryIf(thrown(() => Buffer.alloc(-1)))).toBe(false);
  });

  it('is what retry uses when retryIf is not given: one attempt for a bad argument', async () => {
    let n = 0;
    const error = await retry(() => {
      n++;
      return Promise.reject(thrown(() => new URL('nope')));
    }, instant).catch((e) => e);
    expect(error.code).toBe('ERR_INVALID_URL');
    expect(n).toBe(1);
  });
});

describe('onRetry', () => {
  it('is called before each delay with the error, the failed attempt and the delay', async () => {
    const { op, errors } = flaky(2, 'ok');
    const seen: unknown[][] = [];
    await retry(op, {
      minDelay: 1,
      factor: 3,
      jitter: false,
      onRetry: (error, attempt, delay) => {
        seen.push([error, attempt, delay]);
      },
    });
    expect(seen).toEqual([
      [errors[0], 1, 1],
      [errors[1], 2, 3],
    ]);
  });

  it('is not called for the failure that ends the retrying', async () => {
    const onRetry = vi.fn();
    await expect(
      retry(() => Promise.reject(new Error('x')), { ...instant, retries: 2, onRetry }),
    ).rejects.toThrow();
    expect(onRetry).toHaveBeenCalledTimes(2);
  });

  it('is awaited before the delay starts', async () => {
    const order: string[] = [];
    const { op } = flaky(1, 'ok');
    await retry(
      async (signal, attempt) => {
        order.push(`attempt ${attempt}`);
        return op(signal, attempt);
      },
      {
        ...instant,
        onRetry: async () => {
          await new Promise((r) => setTimeout(r, 5));
          order.push('onRetry done');
        },
      },
    );
    expect(order).toEqual(['attempt 1', 'onRetry done', 'attempt 2']);
  });

  it('stops the retrying when it throws, rejecting with its error', async () => {
    const bug = new Error('onRetry bug');
    const { op, calls } = flaky(3, 'ok');
    await expect(
      retry(op, {
        ...instant,
        onRetry: async () => {
          throw bug;
        },
      }),
    ).rejects.toBe(bug);
    expect(calls).toHaveLength(1);
  });
});
