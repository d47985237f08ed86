import { describe, expect, it } from 'vitest';
import { wantsSignal } from '../src/index.ts';

describe('wantsSignal', () => {
  it('is true for every function that declares a parameter, including rest and default parameters', () => {
    expect(wantsSignal((signal: AbortSignal) => signal)).toBe(true);
    expect(wantsSignal((...args: unknown[]) => args)).toBe(true);
    expect(wantsSignal((signal = undefined) => signal)).toBe(true);
    expect(wantsSignal(async function named(_signal: AbortSignal) {})).toBe(true);
    expect(wantsSignal(({ a }: { a: number }) => a)).toBe(true);
  });

  it('is false for a function with an empty parameter list', () => {
    expect(wantsSignal(() => 1)).toBe(false);
    expect(wantsSignal(async () => 1)).toBe(false);
    expect(wantsSignal(function none() {})).toBe(false);
    expect(wantsSignal(async function* gen() {})).toBe(false);
  });

  it('is true when the parameter list cannot be read (native and bound functions)', () => {
    expect(wantsSignal(Math.max)).toBe(true);
    expect(wantsSignal((() => 1).bind(null))).toBe(true);
  });
});
