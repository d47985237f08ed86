import { invalidArgType, isThenable, outOfRange, ownOptions, validateSignal } from '@x/internal';

export { isThenable } from '@x/internal';

/**
 * Checks `ops` and every element before anything starts, so a bad element never leaves the ones before it
 * running. Arrays are returned as they are (no copy on the hot path); other iterables are copied.
 */
export function toOperations(ops: unknown, name = 'ops', keyed = false): readonly unknown[] {
  let list: readonly unknown[];
  if (Array.isArray(ops)) list = ops;
  else if (
    ops != null &&
    typeof (ops as Iterable<unknown>)[Symbol.iterator] === 'function' &&
    typeof ops !== 'string'
  )
    list = Array.from(ops as Iterable<unknown>);
  else
    throw invalidArgType(
      name,
      keyed
        ? 'an array, an iterable or an object of promises and functions'
        : 'an array or iterable of promises and functions',
      ops,
    );
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

/**
 * A per-operation `timeout`: a number of milliseconds > 0, or `Infinity` (no deadline, as for `withTimeout`);
 * undefined means none. 0 is refused: it would fail every operation that is not already done.
 */
export function validateTimeout(value: unknown, name = 'options.timeout'): number {
  if (value === undefined) return Number.POSITIVE_INFINITY;
  if (typeof value !== 'number') throw invalidArgType(name, 'of type number', value);
  if (!(value > 0)) throw outOfRange(name, 'a number of milliseconds > 0, or Infinity', value);
  return value;
}

export interface CommonOptions {
  readonly concurrency: number;
  readonly signal: AbortSignal | undefined;
  readonly returnExceptions: boolean;
  /** Per-operation deadline in ms; `Infinity` for none. */
  readonly timeout: number;
  readonly waitForStop: boolean;
}

const DEFAULTS: CommonOptions = Object.freeze({
  concurrency: Number.POSITIVE_INFINITY,
  signal: undefined,
  returnExceptions: false,
  timeout: Number.POSITIVE_INFINITY,
  waitForStop: false,
});

/** The options shared by gather, asCompleted, map and mapStream. */
export function readCommonOptions(
  options:
    | {
        concurrency?: unknown;
        signal?: unknown;
        returnExceptions?: unknown;
        timeout?: unknown;
        waitForStop?: unknown;
      }
    | undefined,
): CommonOptions {
  options = ownOptions(options, 'options');
  if (options === undefined) return DEFAULTS;
  validateSignal(options.signal, 'options.signal');
  return {
    concurrency: validateConcurrency(options.concurrency),
    signal: options.signal as AbortSignal | undefined,
    returnExceptions: validateBoolean(options.returnExceptions, 'options.returnExceptions'),
    timeout: validateTimeout(options.timeout),
    waitForStop: validateBoolean(options.waitForStop, 'options.waitForStop'),
  };
}

/**
 * The keys and operations of a keyed `gather({ user: op, orders: op })`: own enumerable string keys, in
 * `Object.keys` order (p-props' and `Promise.allKeyed`'s rule), each value checked before anything starts.
 */
export function toKeyedOperations(ops: object): { keys: string[]; list: unknown[] } {
  const keys = Object.keys(ops);
  const list = new Array<unknown>(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const op = (ops as Record<string, unknown>)[keys[i]!];
    if (typeof op !== 'function' && !isThenable(op))
      throw invalidArgType(`ops.${keys[i]}`, 'a promise, a thenable or a function (signal) => value', op);
    list[i] = op;
  }
  return { keys, list };
}

/** Whether `ops` is meant as a keyed gather: an object that is neither iterable nor a promise. */
export function isKeyed(ops: unknown): ops is object {
  return (
    ops !== null &&
    typeof ops === 'object' &&
    typeof (ops as Iterable<unknown>)[Symbol.iterator] !== 'function' &&
    !isThenable(ops)
  );
}
