import { invalidArgType, outOfRange } from './errors.js';

/** True for anything `await` would treat as a promise. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

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

export function validateOptions(options: unknown, name = 'options'): void {
  if (options !== undefined && (options === null || typeof options !== 'object'))
    throw invalidArgType(name, 'an object', options);
}

/** `concurrency` is an integer >= 1 or `Infinity` (p-limit's and p-map's rule). */
export function validateConcurrency(value: unknown, name = 'options.concurrency'): number {
  if (value === undefined) return Number.POSITIVE_INFINITY;
  if (typeof value !== 'number') throw invalidArgType(name, 'of type number', value);
  if (!(value >= 1 && (Number.isInteger(value) || value === Number.POSITIVE_INFINITY)))
    throw outOfRange(name, 'an integer >= 1 or Infinity', value);
  return value;
}

/** Duck-typed like Node core's validateAbortSignal, so signals from other realms are accepted. */
export function validateSignal(value: unknown, name = 'options.signal'): AbortSignal | undefined {
  if (value === undefined) return undefined;
  if (
    value === null ||
    typeof value !== 'object' ||
    !('aborted' in value) ||
    typeof (value as AbortSignal).addEventListener !== 'function'
  )
    throw invalidArgType(name, 'an instance of AbortSignal', value);
  return value as AbortSignal;
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
  validateOptions(options);
  if (options === undefined)
    return { concurrency: Number.POSITIVE_INFINITY, signal: undefined, returnExceptions: false };
  return {
    concurrency: validateConcurrency(options.concurrency),
    signal: validateSignal(options.signal),
    returnExceptions: validateBoolean(options.returnExceptions, 'options.returnExceptions'),
  };
}
