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
    // A source text of its own: the first function of a text is remembered at once (a later function of the same
    // text only once it comes in two calls in a row, below).
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

  it('remembers a function whose text equals an earlier one once it comes in two calls in a row', () => {
    // Three functions of one source text (a literal written twice, a module loaded twice): the first is remembered
    // at once, a later one once it is passed in two consecutive calls, not when another call comes between.
    const first = new Function("return 'thrice written';") as () => unknown;
    const second = new Function("return 'thrice written';") as () => unknown;
    const third = new Function("return 'thrice written';") as () => unknown;
    const [a, b, c] = [counted(first), counted(second), counted(third)];
    expect(wantsSignal(first)).toBe(false);
    expect(wantsSignal(second)).toBe(false);
    expect(wantsSignal(third)).toBe(false);
    expect(wantsSignal(second)).toBe(false); // not in a row: read again
    expect([a.reads, b.reads, c.reads]).toEqual([1, 2, 1]);
    expect(wantsSignal(second)).toBe(false); // in a row: remembered from now on
    expect(b.reads).toBe(3);
    for (let i = 0; i < 5; i++) {
      expect(wantsSignal(first)).toBe(false);
      expect(wantsSignal(second)).toBe(false);
    }
    expect([a.reads, b.reads]).toEqual([1, 3]);
  });

  it('answers new closures of a literal by their text, remembering none of them one by one', () => {
    const closures = [0, 1, 2].map((i) => async () => `fresh ${i}`);
    const counters = closures.map(counted);
    for (const closure of closures) expect(wantsSignal(closure)).toBe(false);
    // The first is remembered; the others are read again when they come back after another call.
    for (const closure of closures) expect(wantsSignal(closure)).toBe(false);
    expect(counters.map((c) => c.reads)).toEqual([1, 2, 2]);
  });

  it('keeps its answer for a remembered function whose length is redefined afterwards (read once, documented)', () => {
    const fn = function (this: unknown) {
      // biome-ignore lint/complexity/noArguments: a function that reads arguments without declaring them.
      return arguments[0];
    } as () => unknown;
    expect(wantsSignal(fn)).toBe(false);
    Object.defineProperty(fn, 'length', { value: 1 });
    expect(wantsSignal(fn)).toBe(false);
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
