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

  it("reads a function's length once: a function seen again is answered from memory (issue 19)", () => {
    // Reading `length` costs 65-100 ns under loaders that redefine every function's `name` (tsx, esbuild's
    // keepNames): more than the rest of a task created again and again with the same function.
    let reads = 0;
    // A source text of its own: only the first function of a literal is remembered (later closures of the same
    // literal are answered by their source).
    const fn = async () => 'length is read once';
    Object.defineProperty(fn, 'length', {
      get() {
        reads++;
        return 0;
      },
    });
    expect(wantsSignal(fn)).toBe(false);
    expect(reads).toBe(1);
    for (let i = 0; i < 5; i++) expect(wantsSignal(fn)).toBe(false);
    expect(reads).toBe(1);
  });

  it('remembers a function whose text equals an earlier one the second time it comes in a row', () => {
    const counted = (fn: () => unknown) => {
      const counter = { reads: 0 };
      Object.defineProperty(fn, 'length', {
        get() {
          counter.reads++;
          return 0;
        },
      });
      return counter;
    };
    // Two functions of one source text (a literal written twice, a module loaded twice): the first is remembered
    // at once, the second once it is passed twice in a row.
    const first = new Function("return 'twice written';") as () => unknown;
    const second = new Function("return 'twice written';") as () => unknown;
    const a = counted(first);
    const b = counted(second);
    expect(wantsSignal(first)).toBe(false);
    expect(wantsSignal(second)).toBe(false);
    expect(wantsSignal(second)).toBe(false);
    expect([a.reads, b.reads]).toEqual([1, 2]);
    for (let i = 0; i < 5; i++) {
      expect(wantsSignal(first)).toBe(false);
      expect(wantsSignal(second)).toBe(false);
    }
    expect([a.reads, b.reads]).toEqual([1, 2]);
    // New closures of one literal are answered by their text, each read once, never remembered one by one.
    const reads: number[] = [];
    for (let i = 0; i < 3; i++) {
      const closure = async () => `fresh ${i}`;
      const c = counted(closure);
      expect(wantsSignal(closure)).toBe(false);
      reads.push(c.reads);
    }
    expect(reads).toEqual([1, 1, 1]);
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
