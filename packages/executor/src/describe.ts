/**
 * Node-core style description of a received value for argument errors (` Received type number (1)`,
 * ` Received an instance of Map`), shared by the worker packages' validation. Never throws.
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
    if (ctor?.name) return ` Received an instance of ${ctor.name}`;
    return ' Received an object';
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
 * Throws a `TypeError` naming `name` unless `value` is an AbortSignal or undefined.
 *
 * @example
 * ```ts
 * validateSignal(options.signal, 'options.signal');
 * ```
 * No asyncio counterpart (asyncio cancels tasks, not signals).
 */
export function validateSignal(value: unknown, name: string): asserts value is AbortSignal | undefined {
  if (value !== undefined && !(value instanceof AbortSignal)) {
    throw new TypeError(`${subject(name)} must be an instance of AbortSignal.${describeReceived(value)}`);
  }
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
  if (typeof value !== 'number') {
    throw new TypeError(`${subject(name)} must be of type number.${describeReceived(value)}`);
  }
  const ok =
    (Number.isInteger(value) || (allowInfinity && value === Number.POSITIVE_INFINITY)) &&
    value >= min &&
    value <= max;
  if (!ok) {
    const range = max === Number.POSITIVE_INFINITY ? `>= ${min}` : `>= ${min} && <= ${max}`;
    throw new RangeError(
      `The value of "${name}" is out of range. It must be an integer ${range}${allowInfinity ? ' or Infinity' : ''}. Received ${value}`,
    );
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
  if (typeof value !== 'number') {
    throw new TypeError(`${subject(name)} must be of type number.${describeReceived(value)}`);
  }
  if (Number.isNaN(value) || value < 0) {
    throw new RangeError(
      `The value of "${name}" is out of range. It must be a non-negative number of milliseconds or Infinity. Received ${value}`,
    );
  }
}

/**
 * Throws a `TypeError` naming `name` unless `value` is an object or undefined.
 *
 * @example
 * ```ts
 * validateObject(options, 'options');
 * ```
 * Python has no counterpart (keyword arguments).
 */
export function validateObject(value: unknown, name: string): asserts value is object | undefined {
  if (value !== undefined && (value === null || typeof value !== 'object')) {
    throw new TypeError(`${subject(name)} must be of type object.${describeReceived(value)}`);
  }
}
