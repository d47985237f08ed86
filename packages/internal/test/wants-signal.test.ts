import { describe, expect, it } from 'vitest';
import { wantsSignal } from '../src/index.ts';
import { rememberedSources } from '../src/wants-signal.ts';

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

  it('answers each new closure of a literal as the first one (read by source text, not remembered per closure)', () => {
    const answers: boolean[] = [];
    for (let i = 0; i < 3; i++) {
      answers.push(wantsSignal(async () => i));
      answers.push(wantsSignal(async (...args: unknown[]) => args[i]));
      answers.push(wantsSignal(async (signal = undefined) => signal ?? i));
    }
    expect(answers).toEqual([false, true, true, false, true, true, false, true, true]);
  });

  it('stays right past its bound on remembered sources (generated code)', () => {
    // 3,000 distinct sources: the source cache (1,024) is emptied on the way, never larger than its bound.
    for (let i = 0; i < 3000; i++) {
      const none = new Function(`return ${i};`) as () => unknown;
      const rest = new Function('...args', `return args[${i}];`) as () => unknown;
      expect(wantsSignal(none)).toBe(false);
      expect(wantsSignal(rest)).toBe(true);
      expect(rememberedSources()).toBeLessThanOrEqual(1024);
    }
    // Sources seen before the cache was emptied are read again, with the same answers.
    expect(wantsSignal(new Function('return 0;') as () => unknown)).toBe(false);
    expect(wantsSignal(new Function('...args', 'return args[0];') as () => unknown)).toBe(true);
  });
});
