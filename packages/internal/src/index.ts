/**
 * Argument checks shared by every @x package, with Node-core style messages that name the argument, say
 * what was expected and what was received, and carry Node core's `code` (`ERR_INVALID_ARG_TYPE`,
 * `ERR_OUT_OF_RANGE`); and `onAbort`, the one way every package listens to a caller's signal. Bundled into
 * each package at build time; never published on its own.
 */

export { type AbortListener, type AbortSubscription, onAbort } from './on-abort.js';

/** A `TypeError` or `RangeError` with Node core's `code`. */
export type CodedError<E extends Error> = E & { code: string };

/**
 * Node-core style description of a received value, with a leading space, for argument errors
 * (` Received type number (1)`, ` Received an instance of Map`, ` Received function fn`). Never throws.
 *
 * @example
 * ```ts
 * throw new TypeError(`The "fn" argument must be a function.${describeReceived(fn)}`);
 * ```
 * Python's counterpart is the `repr` in a `TypeError` message.
 */
export function describeReceived(value: unknown): string {
  if (value == null) return ` Received ${value}`;
  if (typeof value === 'function') return ` Received function ${value.name || '<anonymous>'}`;
  if (typeof value === 'object') {
    const ctor = (value as { constructor?: { name?: string } }).constructor;
    return ctor?.name ? ` Received an instance of ${ctor.name}` : ' Received an object with a null prototype';
  }
  let shown = typeof value === 'bigint' ? `${value}n` : String(value);
  if (typeof value === 'string') shown = `'${shown.length > 28 ? `${shown.slice(0, 25)}...` : shown}'`;
  return ` Received type ${typeof value} (${shown})`;
}

/** `The "name" argument` or `The "options.x" property`, Node-core style. */
export function subject(name: string): string {
  return name.includes('.') ? `The "${name}" property` : `The "${name}" argument`;
}

/**
 * `TypeError` with code `ERR_INVALID_ARG_TYPE`: `The "name" argument must be <expected>. Received ...`.
 *
 * @example
 * ```ts
 * throw invalidArgType('ops', 'an array or iterable of promises and functions', ops);
 * ```
 */
export function invalidArgType(name: string, expected: string, actual: unknown): CodedError<TypeError> {
  return Object.assign(new TypeError(`${subject(name)} must be ${expected}.${describeReceived(actual)}`), {
    code: 'ERR_INVALID_ARG_TYPE',
  });
}

/**
 * `RangeError` with code `ERR_OUT_OF_RANGE`: `The value of "name" is out of range. It must be <range>.
 * Received <actual>`.
 */
export function outOfRange(name: string, range: string, actual: unknown): CodedError<RangeError> {
  return Object.assign(
    new RangeError(`The value of "${name}" is out of range. It must be ${range}. Received ${String(actual)}`),
    { code: 'ERR_OUT_OF_RANGE' },
  );
}

/** True for anything `await` would treat as a promise. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * Throws a `TypeError` naming `name` unless `value` is an AbortSignal or undefined. Duck-typed like Node
 * core's `validateAbortSignal`, so signals of another realm (a `vm` context, a test environment) pass.
 *
 * @example
 * ```ts
 * validateSignal(options.signal, 'options.signal');
 * ```
 */
export function validateSignal(value: unknown, name: string): asserts value is AbortSignal | undefined {
  if (
    value !== undefined &&
    (value === null ||
      typeof value !== 'object' ||
      !('aborted' in value) ||
      typeof (value as AbortSignal).addEventListener !== 'function')
  ) {
    throw invalidArgType(name, 'an instance of AbortSignal', value);
  }
}

/**
 * Throws a `TypeError` naming `name` unless `value` is an object or undefined.
 *
 * @example
 * ```ts
 * validateObject(options, 'options');
 * ```
 */
export function validateObject(value: unknown, name: string): asserts value is object | undefined {
  if (value !== undefined && (value === null || typeof value !== 'object')) {
    throw invalidArgType(name, 'of type object', value);
  }
}

/**
 * Validates `options` like `validateObject` and returns an object from which no option is ever read off
 * `Object.prototype`: after polluted code ran `Object.prototype.env = { ... }`, a pool given `{}` still sees no
 * `env`. That is `options` itself while `Object.prototype` has no enumerable property of its own (the usual
 * case, and free), else a null-prototype copy of its own enumerable properties. Read options only from the
 * result, and never write to it. Undefined passes and is returned as is.
 *
 * @example
 * ```ts
 * options = ownOptions(options, 'options');
 * const { env, execArgv } = options; // never inherited
 * ```
 * Python's counterpart is keyword arguments, which are never inherited.
 */
export function ownOptions<T extends object | undefined>(options: T, name: string): T {
  validateObject(options, name);
  if (options === undefined) return options;
  // Hot path (every submit, withTimeout, gather that passes options): a plain object read while
  // Object.prototype holds no enumerable key of its own cannot inherit an option, so it is used as is; a copy
  // (a null-prototype object is in V8's slow dictionary mode) is made only when pollution is present.
  if (Object.getPrototypeOf(options) === Object.prototype && !polluted()) return options;
  return Object.assign(Object.create(null), options) as T;
}

/** Whether code added an enumerable property to `Object.prototype` (how prototype pollution shows itself). */
function polluted(): boolean {
  for (const _ in Object.prototype) return true;
  return false;
}

/**
 * Throws a `TypeError` (not a number) or `RangeError` (not an integer in `[min, max]`, or `Infinity` when
 * allowed) naming `name`; undefined passes.
 *
 * @example
 * ```ts
 * validateInteger(options.maxThreads, 'options.maxThreads', 1);
 * ```
 * Python's counterpart is the `ValueError` of `ThreadPoolExecutor(max_workers=0)`.
 */
export function validateInteger(
  value: unknown,
  name: string,
  min: number,
  max = Number.POSITIVE_INFINITY,
  allowInfinity = false,
): asserts value is number | undefined {
  if (value === undefined) return;
  if (typeof value !== 'number') throw invalidArgType(name, 'of type number', value);
  const ok =
    (Number.isInteger(value) || (allowInfinity && value === Number.POSITIVE_INFINITY)) &&
    value >= min &&
    value <= max;
  if (!ok) {
    const range = max === Number.POSITIVE_INFINITY ? `>= ${min}` : `>= ${min} && <= ${max}`;
    throw outOfRange(name, `an integer ${range}${allowInfinity ? ' or Infinity' : ''}`, value);
  }
}

/**
 * Throws a `TypeError` or `RangeError` naming `name` unless `value` is a duration in ms (`>= 0`, `Infinity`
 * allowed) or undefined.
 *
 * @example
 * ```ts
 * validateDuration(options.timeout, 'options.timeout');
 * ```
 * Python's counterpart is the check of `timeout` in `asyncio.wait_for`.
 */
export function validateDuration(value: unknown, name: string): asserts value is number | undefined {
  if (value === undefined) return;
  if (typeof value !== 'number') throw invalidArgType(name, 'of type number', value);
  if (Number.isNaN(value) || value < 0) {
    throw outOfRange(name, 'a non-negative number of milliseconds or Infinity', value);
  }
}

// Node 20.0-20.3 lack the well-known disposal symbols (20.4+ define them). There, code compiled by esbuild
// or tsx looks them up as `Symbol.for('Symbol.dispose')`, so that is the fallback every package uses.
/** `Symbol.dispose`, or the registered symbol esbuild's `using` helper looks up where the runtime lacks it. */
export const dispose: typeof Symbol.dispose =
  (Symbol as { dispose?: typeof Symbol.dispose }).dispose ??
  (Symbol.for('Symbol.dispose') as typeof Symbol.dispose);

/** `Symbol.asyncDispose`, or the registered symbol esbuild's `await using` helper looks up where it lacks it. */
export const asyncDispose: typeof Symbol.asyncDispose =
  (Symbol as { asyncDispose?: typeof Symbol.asyncDispose }).asyncDispose ??
  (Symbol.for('Symbol.asyncDispose') as typeof Symbol.asyncDispose);

export { isCancellation } from './cancellation.js';
export { applyErrorBrands, brandErrorClass, errorBrand, errorBrandsOf } from './error-brand.js';
export { validateOptionNames } from './options.js';
export {
  allowManyListeners,
  availableCpus,
  cpuTime,
  nextTurn,
  nodeBuiltin,
  preempted,
  refTimer,
  type SystemLoad,
  spinCanPay,
  systemLoad,
  unrefTimer,
} from './runtime.js';
export { validateWaitOptions, WaitList, WaitNode, type WaitOptions } from './wait-list.js';
export { wantsSignal } from './wants-signal.js';
