/**
 * Whether a function can receive the signal a primitive would hand it: @x/task and @x/retry skip creating an
 * `AbortSignal` (a few microseconds on Node 20) for a function that declares no parameter.
 */

/** Functions of `length` 0 seen before, and whether their source declares a parameter anyway. */
const declaresParameter = new WeakMap<object, boolean>();

/**
 * Whether `fn` can receive the signal (or any argument): whether it declares a parameter. Creating an
 * `AbortSignal` costs more than the rest of a task or a retry call, so functions that declare no parameter
 * (`async () => ...`) do not get a fresh one. `length` alone is not enough: it is
 * 0 for `(...args) =>` and `(signal = fallback) =>`, whose signal must not be lost, so for `length` 0 the
 * source is read once per function. Native and bound functions (no readable parameter list) get it.
 */
export function wantsSignal(fn: (...args: never[]) => unknown): boolean {
  if (fn.length > 0) return true;
  let wants = declaresParameter.get(fn);
  if (wants === undefined) {
    wants = hasParameterList(fn);
    declaresParameter.set(fn, wants);
  }
  return wants;
}

function hasParameterList(fn: (...args: never[]) => unknown): boolean {
  let source: string;
  try {
    source = Function.prototype.toString.call(fn);
  } catch {
    return true;
  }
  if (source.endsWith('[native code] }')) return true;
  const open = source.indexOf('(');
  const arrow = source.indexOf('=>');
  // `x => ...` has length 1 and never gets here; a source without `(` is not one we can read.
  if (open === -1 || (arrow !== -1 && arrow < open)) return true;
  let i = open + 1;
  while (i < source.length && /\s/.test(source[i]!)) i++;
  return source[i] !== ')';
}
