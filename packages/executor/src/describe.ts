/**
 * Node-core style description of a received value for argument errors, e.g. `type number (1)`,
 * `an instance of Map`, `function fn`.
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

/** Throws a TypeError unless `value` is an AbortSignal (or undefined). */
export function validateSignal(value: unknown, name: string): asserts value is AbortSignal | undefined {
  if (value !== undefined && !(value instanceof AbortSignal)) {
    throw new TypeError(`${subject(name)} must be an instance of AbortSignal.${describeReceived(value)}`);
  }
}

/** Throws unless `value` is an integer within [min, max] (or undefined). */
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

/** Throws unless `value` is a non-negative finite number or Infinity (a duration in ms) or undefined. */
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

/** Throws unless `value` is a plain options object (or undefined). */
export function validateObject(value: unknown, name: string): asserts value is object | undefined {
  if (value !== undefined && (value === null || typeof value !== 'object')) {
    throw new TypeError(`${subject(name)} must be of type object.${describeReceived(value)}`);
  }
}
