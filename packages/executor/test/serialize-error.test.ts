import { brandErrorClass } from '@x/internal';
import { describe, expect, it } from 'vitest';
import { deserializeError, serializeError, TimeoutError, WorkerCrashedError } from '../src/index.js';

const roundTrip = (e: unknown) => deserializeError(structuredClone(serializeError(e)));

class ValidationError extends TypeError {
  override name = 'ValidationError';
  code = 'E_INVALID';
  field = 'email';
}

describe('serializeError / deserializeError', () => {
  it('keeps built-in classes, message and the remote stack', () => {
    const original = new RangeError('too big');
    const back = roundTrip(original) as Error;
    expect(back).toBeInstanceOf(RangeError);
    expect(back.message).toBe('too big');
    expect(back.stack).toContain(original.stack!);
    expect(back.stack).toContain('<received from a worker>');
  });

  it('keeps a custom name, code and own properties, and the nearest built-in class', () => {
    const back = roundTrip(new ValidationError('bad email')) as Error & Record<string, unknown>;
    expect(back).toBeInstanceOf(TypeError);
    expect(back.name).toBe('ValidationError');
    expect(back.code).toBe('E_INVALID');
    expect(back.field).toBe('email');
    expect(Object.keys(back)).not.toContain('name');
  });

  it('keeps cause chains and AggregateError errors', () => {
    const inner = Object.assign(new Error('disk'), { code: 'ENOSPC' });
    const agg = new AggregateError([new TypeError('a'), 'plain'], 'many', { cause: inner });
    const back = roundTrip(new Error('outer', { cause: agg })) as Error;
    const cause = back.cause as AggregateError;
    expect(cause).toBeInstanceOf(AggregateError);
    expect(cause.errors[0]).toBeInstanceOf(TypeError);
    expect(cause.errors[1]).toBe('plain');
    expect(cause.cause).toMatchObject({ message: 'disk', code: 'ENOSPC' });
  });

  it('keeps the identity of @x errors: what they were instanceof, also as a cause, and nothing more', () => {
    // Another package's class with the same code (as @x/timeout's TimeoutError is), and a subclass of it.
    class OtherTimeoutError extends Error {
      static {
        brandErrorClass(this, 'ERR_X_TIMEOUT');
      }
      readonly code = 'ERR_X_TIMEOUT';
    }
    class SlowQueryError extends OtherTimeoutError {
      static {
        brandErrorClass(this, 'ERR_TEST_SLOW_QUERY');
      }
    }
    const back = roundTrip(new SlowQueryError('slow')) as Error;
    expect(back).toBeInstanceOf(TimeoutError);
    expect(back).toBeInstanceOf(OtherTimeoutError);
    expect(back).toBeInstanceOf(SlowQueryError);
    expect(back).not.toBeInstanceOf(WorkerCrashedError);
    const wrapped = roundTrip(new Error('query failed', { cause: new TimeoutError(5) })) as Error;
    expect(wrapped.cause).toBeInstanceOf(OtherTimeoutError);
    // Same name and code but no brand: not an @x error on this side either.
    const lookalike = Object.assign(new Error('x'), { name: 'TimeoutError', code: 'ERR_X_TIMEOUT' });
    expect(roundTrip(lookalike)).not.toBeInstanceOf(TimeoutError);
  });

  it('keeps DOMException names (AbortError)', () => {
    const back = roundTrip(new DOMException('stop', 'AbortError')) as DOMException;
    expect(back).toBeInstanceOf(DOMException);
    expect(back.name).toBe('AbortError');
  });

  it('passes thrown non-errors through, and stringifies what cannot be cloned', () => {
    expect(roundTrip(42)).toBe(42);
    expect(roundTrip({ reason: 'x' })).toEqual({ reason: 'x' });
    expect(roundTrip(Symbol('s'))).toBe('Symbol(s)');
  });

  it('keeps what clones of a thrown object that cannot be cloned, with its message', () => {
    const thrown = {
      message: 'boom',
      details: { value: 42, fn() {} },
      list: [1, () => 2, 3],
      fn() {},
      [Symbol('s')]: 1,
    };
    const back = roundTrip(thrown) as Record<string, unknown>;
    expect(back).toEqual({ message: 'boom', details: { value: 42 }, list: [1, undefined, 3] });
    expect(back).not.toBeInstanceOf(Error);
  });

  it('describes a thrown uncloneable object without a message, never as [object Object]', () => {
    const back = roundTrip({ status: 500, retry() {} }) as Record<string, unknown>;
    expect(back.status).toBe(500);
    expect(back.retry).toBeUndefined();
    expect(back.message).toContain('status: 500');
    expect(back.message).not.toContain('[object Object]');
  });

  it('bounds the copy of an uncloneable thrown object in depth, size and cycles', () => {
    const deep: Record<string, unknown> = { fn() {} };
    let level = deep;
    for (let i = 0; i < 20; i++) level = level.next = { fn() {} };
    const cyclic: Record<string, unknown> = { message: 'loop', fn() {} };
    cyclic.self = cyclic;
    const wide = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i]));
    const back = roundTrip({ deep, cyclic, wide, fn() {} }) as Record<string, any>;
    let depth = 0;
    for (let l = back.deep; l?.next; l = l.next) depth++;
    expect(depth).toBeLessThan(10);
    expect(back.cyclic.message).toBe('loop');
    expect(back.cyclic.self).toBeUndefined();
    expect(Object.keys(back.wide).length).toBe(5000); // cloneable as a whole: kept whole
    expect(() => structuredClone(back)).not.toThrow();
  });

  it('keeps a readable message from a getter and survives a throwing getter', () => {
    class Failure {
      get message() {
        return 'from getter';
      }
      get broken(): never {
        throw new Error('no');
      }
      fn() {}
    }
    const thrown = Object.defineProperty(new Failure(), 'own', { value: 1, enumerable: true });
    (thrown as any).cb = () => 1;
    const back = roundTrip(thrown) as Record<string, unknown>;
    expect(back).toEqual({ own: 1, message: 'from getter' });
  });

  it('never throws on a thrown proxy whose traps throw', () => {
    const trap = () => {
      throw new Error('trap');
    };
    const hostile = new Proxy({}, { ownKeys: trap, get: trap, getPrototypeOf: trap });
    expect(roundTrip(hostile)).toBe('a thrown value that could not be serialized');
  });

  it('drops uncloneable properties and survives cycles', () => {
    const e = Object.assign(new Error('cyclic'), { fn: () => 1, n: 1 }) as Error & { self?: unknown };
    e.cause = e;
    const back = roundTrip(e) as Error & Record<string, unknown>;
    expect(back.n).toBe(1);
    expect(back.fn).toBeUndefined();
    expect(back.message).toBe('cyclic');
  });
});
