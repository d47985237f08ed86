import { describe, expect, it } from 'vitest';
import { thrown } from '../../../scripts/test-support/waiters.js';
import { type RetryOptions, retry } from '../src/index.js';

const op = async () => 1;

/** The error `retry(op, options)` throws synchronously, as the user would see it. */
const bad = (options: unknown) => thrown(() => retry(op, options as RetryOptions));

describe('bad input fails at the door, synchronously, naming the argument', () => {
  it('op must be a function; a promise is refused with a hint', () => {
    const error = thrown(() => retry(Promise.resolve(1) as never));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.code).toBe('ERR_INVALID_ARG_TYPE');
    expect(error.message).toMatch(/^The "op" argument must be a function \(signal, attempt\) => value/);
    expect(error.message).toMatch(/cannot be run again/);
    expect(thrown(() => retry(undefined as never)).message).toMatch(/"op" argument .* Received undefined$/);
  });

  it('options must be an object', () => {
    const error = bad(3);
    expect(error).toBeInstanceOf(TypeError);
    expect(error.code).toBe('ERR_INVALID_ARG_TYPE');
    expect(error.message).toMatch(/"options" argument must be of type object/);
  });

  it('an unknown option is refused, not ignored', () => {
    const error = bad({ retry: 3 });
    expect(error).toBeInstanceOf(TypeError);
    expect(error.code).toBe('ERR_INVALID_ARG_VALUE');
    expect(error.message).toMatch(/"options.retry" property is not a known option/);
  });

  it.each([
    [{ retries: '3' }, TypeError, 'ERR_INVALID_ARG_TYPE', 'options.retries'],
    [{ retries: -1 }, RangeError, 'ERR_OUT_OF_RANGE', 'options.retries'],
    [{ retries: 1.5 }, RangeError, 'ERR_OUT_OF_RANGE', 'options.retries'],
    [{ retries: Number.NaN }, RangeError, 'ERR_OUT_OF_RANGE', 'options.retries'],
    [{ minDelay: '1' }, TypeError, 'ERR_INVALID_ARG_TYPE', 'options.minDelay'],
    [{ minDelay: -1 }, RangeError, 'ERR_OUT_OF_RANGE', 'options.minDelay'],
    [{ minDelay: Number.NaN }, RangeError, 'ERR_OUT_OF_RANGE', 'options.minDelay'],
    [{ maxDelay: Number.POSITIVE_INFINITY }, RangeError, 'ERR_OUT_OF_RANGE', 'options.maxDelay'],
    [{ maxDelay: 2 ** 31 }, RangeError, 'ERR_OUT_OF_RANGE', 'options.maxDelay'],
    [{ factor: 0 }, RangeError, 'ERR_OUT_OF_RANGE', 'options.factor'],
    [{ factor: -2 }, RangeError, 'ERR_OUT_OF_RANGE', 'options.factor'],
    [{ factor: Number.POSITIVE_INFINITY }, RangeError, 'ERR_OUT_OF_RANGE', 'options.factor'],
    [{ factor: '2' }, TypeError, 'ERR_INVALID_ARG_TYPE', 'options.factor'],
    [{ jitter: 'full' }, TypeError, 'ERR_INVALID_ARG_TYPE', 'options.jitter'],
    [{ retryIf: true }, TypeError, 'ERR_INVALID_ARG_TYPE', 'options.retryIf'],
    [{ onRetry: 'log' }, TypeError, 'ERR_INVALID_ARG_TYPE', 'options.onRetry'],
    [{ signal: {} }, TypeError, 'ERR_INVALID_ARG_TYPE', 'options.signal'],
    [{ signal: null }, TypeError, 'ERR_INVALID_ARG_TYPE', 'options.signal'],
  ])('%o is a %o with code %s naming %s', (options, type, code, name) => {
    const error = bad(options);
    expect(error).toBeInstanceOf(type);
    expect(error.code).toBe(code);
    expect(error.message).toContain(`"${name}"`);
  });

  it('accepts the edges: retries 0 and Infinity, delays 0, factor below 1, every option undefined', async () => {
    await expect(retry(op, { retries: 0 })).resolves.toBe(1);
    await expect(retry(op, { retries: Number.POSITIVE_INFINITY, minDelay: 0, maxDelay: 0 })).resolves.toBe(1);
    await expect(retry(op, { factor: 0.5 })).resolves.toBe(1);
    await expect(
      retry(op, {
        retries: undefined,
        minDelay: undefined,
        maxDelay: undefined,
        factor: undefined,
        jitter: undefined,
        retryIf: undefined,
        onRetry: undefined,
        signal: undefined,
      }),
    ).resolves.toBe(1);
  });

  it('never starts the operation when an argument is bad', () => {
    let called = false;
    thrown(() =>
      retry(
        () => {
          called = true;
        },
        { retries: -1 },
      ),
    );
    expect(called).toBe(false);
  });
});
