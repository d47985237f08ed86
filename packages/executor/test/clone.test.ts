import { describe, expect, it } from 'vitest';
import { assertCloneable, cloneError, DataCloneError } from '../src/index.js';

describe('assertCloneable', () => {
  it('accepts primitives and cloneable structures', () => {
    for (const v of [
      1,
      'a',
      null,
      undefined,
      10n,
      true,
      { a: [1, new Map([[1, new Set([2])]])] },
      new Date(),
      /x/,
    ]) {
      expect(() => assertCloneable(v, 'argument 1')).not.toThrow();
    }
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => assertCloneable(cyclic, 'argument 1')).not.toThrow();
    expect(() => assertCloneable(new Uint8Array(4), 'argument 1')).not.toThrow();
  });

  it('refuses functions, symbols, promises and weak collections, naming the position and path', () => {
    expect(() => assertCloneable(() => 1, 'argument 2')).toThrow(DataCloneError);
    expect(() => assertCloneable({ deep: { list: [1, () => 1] } }, 'argument 2')).toThrow(
      /Cannot send argument 2 \(at \.deep\.list\[1\]\) to the worker: a function/,
    );
    expect(() => assertCloneable(Symbol('s'), 'the result')).toThrow(
      /Cannot send the result back from the worker: a symbol/,
    );
    expect(() => assertCloneable(Promise.resolve(1), 'argument 1')).toThrow(
      /a Promise cannot be cloned; await it/,
    );
    expect(() => assertCloneable(new WeakMap(), 'argument 1')).toThrow(/WeakMap/);
    try {
      assertCloneable([1, Symbol('x')], 'argument 3');
    } catch (e) {
      expect(e).toMatchObject({
        name: 'DataCloneError',
        code: 'ERR_X_DATA_CLONE',
        position: 'argument 3 (at [1])',
      });
    }
  });
});

describe('cloneError', () => {
  it('returns undefined for cloneable values and a DataCloneError otherwise', () => {
    expect(cloneError({ a: 1 }, 'argument 1')).toBeUndefined();
    expect(cloneError({ f() {} }, 'argument 1')).toBeInstanceOf(DataCloneError);
  });
});
