import { describe, expect, it } from 'vitest';
import { applyErrorBrands, brandErrorClass, errorBrand, errorBrandsOf } from '../src/index.ts';

/** A fresh class per call: what each bundled copy of a package defines. */
function defineTimeoutError() {
  return class TimeoutError extends Error {
    static {
      brandErrorClass(this, 'ERR_TEST_TIMEOUT');
    }
    override name = 'TimeoutError';
    readonly code = 'ERR_TEST_TIMEOUT';
  };
}

describe('brandErrorClass(this, code)', () => {
  it('makes two separately defined classes with the same code one identity, both ways', () => {
    const A = defineTimeoutError();
    const B = defineTimeoutError();
    expect(A).not.toBe(B);
    expect(new A()).toBeInstanceOf(B);
    expect(new B()).toBeInstanceOf(A);
    expect(new A() instanceof Error).toBe(true);
  });

  it('does not match an unrelated error that has the same name and code but no brand', () => {
    const A = defineTimeoutError();
    const lookalike = Object.assign(new Error('x'), { name: 'TimeoutError', code: 'ERR_TEST_TIMEOUT' });
    expect(lookalike instanceof A).toBe(false);
    expect({ code: 'ERR_TEST_TIMEOUT' } instanceof A).toBe(false);
  });

  it('answers false for primitives and null without throwing', () => {
    const A = defineTimeoutError();
    for (const value of [null, undefined, 0, 'TimeoutError', Symbol.for('@x/error:ERR_TEST_TIMEOUT')]) {
      expect((value as unknown) instanceof A).toBe(false);
    }
  });

  it('does not match a class branded with another code', () => {
    const A = defineTimeoutError();
    class Other extends Error {
      static {
        brandErrorClass(this, 'ERR_TEST_OTHER');
      }
    }
    expect(new Other() instanceof A).toBe(false);
    expect(new A() instanceof Other).toBe(false);
  });

  it('keeps subclass semantics: a subclass instance is an instance of its base, not the reverse', () => {
    const A = defineTimeoutError();
    const A2 = defineTimeoutError();
    class Sub extends A {}
    expect(new Sub()).toBeInstanceOf(Sub);
    expect(new Sub()).toBeInstanceOf(A);
    expect(new Sub()).toBeInstanceOf(A2); // the base's identity reaches other copies of the base
    expect(new A() instanceof Sub).toBe(false);
    expect(new A2() instanceof Sub).toBe(false);
  });

  it('gives a branded subclass its own identity under its base', () => {
    const A = defineTimeoutError();
    const defineSub = (Base: typeof A) =>
      class SubTimeout extends Base {
        static {
          brandErrorClass(this, 'ERR_TEST_SUB_TIMEOUT');
        }
      };
    const S1 = defineSub(A);
    const S2 = defineSub(defineTimeoutError());
    expect(new S1()).toBeInstanceOf(S2);
    expect(new S1()).toBeInstanceOf(A);
    expect(new A() instanceof S1).toBe(false);
  });

  it('keeps a built-in base: a branded ReferenceError subclass is still a ReferenceError', () => {
    class Captured extends ReferenceError {
      static {
        brandErrorClass(this, 'ERR_TEST_CAPTURED');
      }
    }
    expect(new Captured()).toBeInstanceOf(ReferenceError);
    expect(new ReferenceError() instanceof Captured).toBe(false);
  });

  it('brands with the registered symbol of the code, a non-enumerable prototype property', () => {
    const A = defineTimeoutError();
    const error = new A();
    expect(errorBrand('ERR_TEST_TIMEOUT')).toBe(Symbol.for('@x/error:ERR_TEST_TIMEOUT'));
    expect((error as unknown as Record<symbol, unknown>)[errorBrand('ERR_TEST_TIMEOUT')]).toBe(true);
    expect(Object.getOwnPropertySymbols(error)).toEqual([]);
    expect(Object.keys(error)).toEqual(['name', 'code']);
  });
});

describe('errorBrandsOf(value) / applyErrorBrands(target, codes)', () => {
  it('lists the brands of a value, its bases included, and gives them to a plain error', () => {
    const A = defineTimeoutError();
    class Sub extends A {
      static {
        brandErrorClass(this, 'ERR_TEST_SUB');
      }
    }
    const codes = errorBrandsOf(new Sub());
    expect(codes).toEqual(['ERR_TEST_SUB', 'ERR_TEST_TIMEOUT']);
    const plain = new Error('revived');
    applyErrorBrands(plain, codes);
    expect(plain).toBeInstanceOf(Sub);
    expect(plain).toBeInstanceOf(defineTimeoutError());
    expect(Object.keys(plain)).toEqual([]);
  });

  it('finds nothing on unbranded values and never throws', () => {
    expect(errorBrandsOf(new Error('x'))).toEqual([]);
    expect(errorBrandsOf(null)).toEqual([]);
    expect(errorBrandsOf('ERR_TEST_TIMEOUT')).toEqual([]);
    const hostile = new Proxy(
      {},
      {
        getPrototypeOf() {
          throw new Error('no');
        },
      },
    );
    expect(errorBrandsOf(hostile)).toEqual([]);
  });
});
