import { invalidArgType, isThenable, outOfRange, ownOptions, validateSignal } from '@x/internal';

export { isThenable } from '@x/internal';

/**
 * Checks `ops` and every element before anything starts, so a bad element never leaves the ones before it
 * running. Arrays are returned as they are (no copy on the hot path); other iterables are copied.
 */
export function toOperations(ops: unknown, name = 'ops'): readonly unknown[] {
  let list: readonly unknown[];
  if (Array.isArray(ops)) list = ops;
  else if (
    ops != null &&
    typeof (ops as Iterable<unknown>)[Symbol.iterator] === 'function' &&
    typeof ops !== 'string'
  )
    list = Array.from(ops as Iterable<unknown>);
  else throw invalidArgType(name, 'an array or iterable of promises and functions', ops);
  for (let i = 0; i < list.length; i++) {
    const op = list[i];
    if (typeof op !== 'function' && !isThenable(op))
      throw invalidArgType(`${name}[${i}]`, 'a promise, a thenable or a function (signal) => value', op);
  }
  return list;
}

/** `concurrency` is an integer >= 1 or `Infinity` (p-limit's and p-map's rule). */
export function validateConcurrency(value: unknown, name = 'options.concurrency'): number {
  if (value === undefined) return Number.POSITIVE_INFINITY;
  if (typeof value !== 'number') throw invalidArgType(name, 'of type number', value);
  if (!(value >= 1 && (Number.isInteger(value) || value === Number.POSITIVE_INFINITY)))
    throw outOfRange(name, 'an integer >= 1 or Infinity', value);
  return value;
}

export function validateBoolean(value: unknown, name: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw invalidArgType(name, 'of type boolean', value);
  return value;
}

export function validateFunction(value: unknown, name: string): void {
  if (typeof value !== 'function') throw invalidArgType(name, 'of type function', value);
}

export interface CommonOptions {
  readonly concurrency: number;
  readonly signal: AbortSignal | undefined;
  readonly returnExceptions: boolean;
}

/** The `{ concurrency, signal, returnExceptions }` options shared by gather, asCompleted and map. */
export function readCommonOptions(
  options: { concurrency?: unknown; signal?: unknown; returnExceptions?: unknown } | undefined,
): CommonOptions {
  options = ownOptions(options, 'options');
  if (options === undefined)
    return { concurrency: Number.POSITIVE_INFINITY, signal: undefined, returnExceptions: false };
  validateSignal(options.signal, 'options.signal');
  return {
    concurrency: validateConcurrency(options.concurrency),
    signal: options.signal as AbortSignal | undefined,
    returnExceptions: validateBoolean(options.returnExceptions, 'options.returnExceptions'),
  };
}
