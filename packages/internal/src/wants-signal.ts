/**
 * Whether a function can receive the signal a primitive would hand it: @x/task and @x/retry skip creating an
 * `AbortSignal` (a few microseconds on Node 20) for a function that declares no parameter.
 */

/**
 * Functions of `length` 0 answered before, and whether their source declares a parameter: the first function of
 * each source text, and a later one of the same text passed in two calls in a row (see {@link previous}).
 * `length` is read once per remembered function: redefining it afterwards does not change the answer.
 */
const declaresParameter = new WeakMap<object, boolean>();
/**
 * The answer by source text, for the closures of one function literal: `createTask(() => work(i))` makes a new
 * function every call, and remembering each in the `WeakMap` cost more than the rest of the task (issue 19:
 * 440 against 170 ns). Bounded: emptied when it reaches {@link MAX_SOURCES} texts (generated code).
 */
const bySource = new Map<string, boolean>();
const MAX_SOURCES = 1024;

/** @internal How many source texts are remembered (tests). */
export const rememberedSources = (): number => bySource.size;

/**
 * The function of the previous call, if that call was answered by its source text: when the same function comes
 * again in the next call, it is remembered in the `WeakMap`. That is how a function whose text equals an earlier
 * literal's (a second `async () => 1`, a module loaded twice) gets the fast path, while new closures of a literal,
 * which never come twice, do not pay for a `WeakMap` entry each (about 540 ns; a `WeakRef` would cost about 1 µs).
 * Held strongly until the next call, whatever it is (as memoize-one keeps its last arguments): if no call comes,
 * that function and its scope stay alive. One such slot per bundled copy of this module.
 */
let previous: object | undefined;

/**
 * Whether `fn` can receive the signal (or any argument): whether it declares a parameter. Creating an
 * `AbortSignal` costs more than the rest of a task or a retry call, so functions that declare no parameter
 * (`async () => ...`) do not get a fresh one. `length` alone is not enough: it is
 * 0 for `(...args) =>` and `(signal = fallback) =>`, whose signal must not be lost, so for `length` 0 the
 * source is read: once per function literal, then once per new closure of it (a function whose text equals an
 * earlier literal's is remembered the second time it comes in a row). Native and bound functions (no readable
 * parameter list) get it.
 */
export function wantsSignal(fn: (...args: never[]) => unknown): boolean {
  const last = previous;
  previous = undefined;
  // The `WeakMap` first: a function passed again and again is found there, and reading `length` (an accessor
  // V8 does not inline here) costs about twice the lookup (issue 19). A function that takes the signal creates
  // an `AbortController`, which costs hundreds of times more than the lookup it misses.
  const known = declaresParameter.get(fn);
  if (known !== undefined) return known;
  if (fn.length > 0) return true;
  let source: string;
  try {
    source = Function.prototype.toString.call(fn);
  } catch {
    return true;
  }
  let wants = bySource.get(source);
  if (wants === undefined) {
    wants = hasParameterList(source);
    if (bySource.size >= MAX_SOURCES) bySource.clear();
    bySource.set(source, wants);
    // The first closure of a literal: the one a caller passes again and again is usually that one.
    declaresParameter.set(fn, wants);
  } else if (fn === last) {
    declaresParameter.set(fn, wants);
  } else {
    previous = fn;
  }
  return wants;
}

function hasParameterList(source: string): boolean {
  if (source.endsWith('[native code] }')) return true;
  const open = source.indexOf('(');
  const arrow = source.indexOf('=>');
  // `x => ...` has length 1 and never gets here; a source without `(` is not one we can read.
  if (open === -1 || (arrow !== -1 && arrow < open)) return true;
  let i = open + 1;
  while (i < source.length && /\s/.test(source[i]!)) i++;
  return source[i] !== ')';
}
