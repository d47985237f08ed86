import { describe, expect, it } from 'vitest';
import {
  describeReceived,
  invalidArgType,
  isThenable,
  outOfRange,
  ownOptions,
  validateDuration,
  validateInteger,
  validateObject,
  validateSignal,
} from '../src/index.ts';

/** The error `fn` throws (fails the test if it throws nothing). */
const thrown = (fn: () => unknown): Error & { code?: string } => {
  try {
    fn();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a throw');
};

describe('describeReceived', () => {
  it('describes every kind of value the way Node core does, with a leading space', () => {
    expect(describeReceived(null)).toBe(' Received null');
    expect(describeReceived(undefined)).toBe(' Received undefined');
    expect(describeReceived(3)).toBe(' Received type number (3)');
    expect(describeReceived(10n)).toBe(' Received type bigint (10n)');
    expect(describeReceived('x'.repeat(40))).toBe(` Received type string ('${'x'.repeat(25)}...')`);
    expect(describeReceived(function named() {})).toBe(' Received function named');
    expect(describeReceived(() => {})).toBe(' Received function <anonymous>');
    expect(describeReceived(new Map())).toBe(' Received an instance of Map');
    expect(describeReceived(Object.create(null))).toBe(' Received an object with a null prototype');
  });

  it('never throws, even for a value whose constructor getter throws', () => {
    const hostile = new Proxy({}, { get: () => undefined });
    expect(describeReceived(hostile)).toBe(' Received an object with a null prototype');
  });
});

describe('invalidArgType and outOfRange', () => {
  it('name the argument or property and carry Node core codes', () => {
    const a = invalidArgType('fn', 'of type function', 1);
    expect(a).toBeInstanceOf(TypeError);
    expect(a.code).toBe('ERR_INVALID_ARG_TYPE');
    expect(a.message).toBe('The "fn" argument must be of type function. Received type number (1)');
    expect(invalidArgType('options.name', 'of type string', null).message).toBe(
      'The "options.name" property must be of type string. Received null',
    );
    const r = outOfRange('options.concurrency', 'an integer >= 1', 0);
    expect(r).toBeInstanceOf(RangeError);
    expect(r.code).toBe('ERR_OUT_OF_RANGE');
    expect(r.message).toBe(
      'The value of "options.concurrency" is out of range. It must be an integer >= 1. Received 0',
    );
  });
});

describe('validators', () => {
  it('validateSignal accepts signals (also of another realm, by shape) and undefined only', () => {
    expect(() => validateSignal(undefined, 'options.signal')).not.toThrow();
    expect(() => validateSignal(new AbortController().signal, 'options.signal')).not.toThrow();
    const foreign = { aborted: false, addEventListener() {}, removeEventListener() {} };
    expect(() => validateSignal(foreign, 'options.signal')).not.toThrow();
    for (const bad of [null, 1, 'signal', {}, { aborted: false }]) {
      const error = thrown(() => validateSignal(bad, 'options.signal'));
      expect(error).toBeInstanceOf(TypeError);
      expect(error.code).toBe('ERR_INVALID_ARG_TYPE');
      expect(error.message).toMatch(
        /^The "options.signal" property must be an instance of AbortSignal\. Received/,
      );
    }
  });

  it('validateObject refuses null and primitives, accepts undefined and objects', () => {
    expect(() => validateObject(undefined, 'options')).not.toThrow();
    expect(() => validateObject({}, 'options')).not.toThrow();
    expect(thrown(() => validateObject(null, 'options')).message).toBe(
      'The "options" argument must be of type object. Received null',
    );
    expect(() => validateObject(5, 'options')).toThrow(TypeError);
  });

  it('ownOptions copies own enumerable options only, never reading Object.prototype', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.env = { POLLUTED: '1' };
    proto.resourceLimits = { maxOldGenerationSizeMb: 1 };
    try {
      const options = ownOptions(
        { timeout: 5 } as { timeout?: number; env?: object; resourceLimits?: object },
        'o',
      );
      expect(options.timeout).toBe(5);
      expect(options.env).toBeUndefined();
      expect(options.resourceLimits).toBeUndefined();
      const inherited = ownOptions(Object.create({ signal: 'inherited' }) as { signal?: unknown }, 'o');
      expect(inherited.signal).toBeUndefined();
    } finally {
      delete proto.env;
      delete proto.resourceLimits;
    }
    expect(ownOptions(undefined, 'options')).toBeUndefined();
    expect(thrown(() => ownOptions(null as never, 'options')).message).toBe(
      'The "options" argument must be of type object. Received null',
    );
  });

  it('validateInteger checks type, integrality, bounds and Infinity when allowed', () => {
    expect(() => validateInteger(undefined, 'n', 1)).not.toThrow();
    expect(() => validateInteger(1, 'n', 1)).not.toThrow();
    expect(() =>
      validateInteger(Number.POSITIVE_INFINITY, 'n', 1, Number.POSITIVE_INFINITY, true),
    ).not.toThrow();
    expect(thrown(() => validateInteger('1', 'n', 1)).code).toBe('ERR_INVALID_ARG_TYPE');
    expect(thrown(() => validateInteger(0, 'n', 1)).message).toBe(
      'The value of "n" is out of range. It must be an integer >= 1. Received 0',
    );
    expect(thrown(() => validateInteger(1.5, 'n', 1)).code).toBe('ERR_OUT_OF_RANGE');
    expect(thrown(() => validateInteger(11, 'n', 1, 10)).message).toContain('>= 1 && <= 10');
    expect(thrown(() => validateInteger(Number.POSITIVE_INFINITY, 'n', 1)).code).toBe('ERR_OUT_OF_RANGE');
    expect(thrown(() => validateInteger(0, 'n', 1, Number.POSITIVE_INFINITY, true)).message).toContain(
      'or Infinity',
    );
  });

  it('validateDuration accepts ms >= 0 and Infinity, refuses NaN, negatives and non-numbers', () => {
    expect(() => validateDuration(undefined, 't')).not.toThrow();
    expect(() => validateDuration(0, 't')).not.toThrow();
    expect(() => validateDuration(Number.POSITIVE_INFINITY, 't')).not.toThrow();
    expect(thrown(() => validateDuration(-1, 't'))).toBeInstanceOf(RangeError);
    expect(thrown(() => validateDuration(Number.NaN, 't'))).toBeInstanceOf(RangeError);
    expect(thrown(() => validateDuration('5', 't'))).toBeInstanceOf(TypeError);
  });

  it('isThenable is true for what `await` would treat as a promise', () => {
    // biome-ignore-start lint/suspicious/noThenProperty: thenables are the subject of this test
    expect(isThenable(Promise.resolve())).toBe(true);
    expect(isThenable({ then() {} })).toBe(true);
    const fn = Object.assign(() => {}, { then() {} });
    expect(isThenable(fn)).toBe(true);
    expect(isThenable({ then: 1 })).toBe(false);
    // biome-ignore-end lint/suspicious/noThenProperty: thenables are the subject of this test
    expect(isThenable(null)).toBe(false);
    expect(isThenable(undefined)).toBe(false);
  });
});

describe('validateOptionNames', () => {
  it('names the first unknown option with ERR_INVALID_ARG_VALUE, and lets known ones and undefined through', async () => {
    const { validateOptionNames } = await import('../src/index.ts');
    validateOptionNames(undefined, ['name'], 'options');
    validateOptionNames({ name: 'x', signal: undefined }, ['name', 'signal'], 'options');
    const error = thrown(() => validateOptionNames({ name: 'x', sigal: 1 }, ['name', 'signal'], 'options'));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.code).toBe('ERR_INVALID_ARG_VALUE');
    expect(error.message).toBe(
      'The "options.sigal" property is not a known option (expected one of: name, signal). Received type number (1)',
    );
    // Inherited properties are not the caller's options.
    validateOptionNames(Object.create({ inherited: 1 }), ['name'], 'options');
  });
});

describe('isCancellation', () => {
  it('is the reason itself, or an AbortError whose cause is the reason or that has no cause; nothing else', async () => {
    const { isCancellation } = await import('../src/index.ts');
    const reason = new Error('reason');
    const abortError = (cause?: unknown) =>
      Object.assign(new Error('aborted', cause === undefined ? undefined : { cause }), {
        name: 'AbortError',
      });
    expect(isCancellation(reason, reason)).toBe(true);
    expect(isCancellation('why', 'why')).toBe(true);
    expect(isCancellation(abortError(reason), reason)).toBe(true);
    expect(isCancellation(abortError(), reason)).toBe(true);
    expect(isCancellation(abortError(new Error('other')), reason)).toBe(false);
    expect(isCancellation(new Error('cleanup failed', { cause: reason }), reason)).toBe(false);
    expect(isCancellation(new AggregateError([], 'group', { cause: reason }), reason)).toBe(false);
    expect(isCancellation(undefined, reason)).toBe(false);
  });
});
