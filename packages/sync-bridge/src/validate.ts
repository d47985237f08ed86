/** Node-core style argument checks for the options of this package. */

function received(value: unknown): string {
  if (value === null || value === undefined) return `Received ${value}`;
  if (typeof value === 'object') return `Received an instance of ${value.constructor?.name ?? 'Object'}`;
  if (typeof value === 'function') return `Received function ${value.name || '<anonymous>'}`;
  return `Received type ${typeof value} (${typeof value === 'string' ? `'${value}'` : String(value)})`;
}

/** `value` must be undefined or an object (not null). */
export function checkObject(value: unknown, name: string, kind = 'property'): void {
  if (value !== undefined && (typeof value !== 'object' || value === null)) {
    throw new TypeError(`The "${name}" ${kind} must be of type object. ${received(value)}`);
  }
}

/** `value` must be undefined, or a number of milliseconds >= 0 (Infinity allowed). */
export function checkTimeout(value: unknown, name: string): void {
  if (value === undefined) return;
  if (typeof value !== 'number')
    throw new TypeError(`The "${name}" property must be of type number. ${received(value)}`);
  if (!(value >= 0)) {
    throw new RangeError(
      `The value of "${name}" is out of range. It must be >= 0 (milliseconds) or Infinity. Received ${value}`,
    );
  }
}

/** `value` must be undefined or an integer >= 1. */
export function checkPositiveInteger(value: unknown, name: string): void {
  if (value === undefined) return;
  if (typeof value !== 'number')
    throw new TypeError(`The "${name}" property must be of type number. ${received(value)}`);
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(
      `The value of "${name}" is out of range. It must be an integer >= 1. Received ${value}`,
    );
  }
}

/** `value` must be undefined or an array of strings. */
export function checkStringArray(value: unknown, name: string): void {
  if (value === undefined) return;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new TypeError(`The "${name}" property must be an array of strings. ${received(value)}`);
  }
}

/** `value` must be undefined or an instance of `type`. */
export function checkInstance(value: unknown, type: Function, name: string): void {
  if (value !== undefined && !(value instanceof type)) {
    throw new TypeError(`The "${name}" property must be an instance of ${type.name}. ${received(value)}`);
  }
}
