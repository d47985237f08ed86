/** Argument checks at the door, with Node-core style messages that name the argument and what was received. */

/** ` Received type number (1)`, ` Received an instance of Map`, ` Received function fn`. */
export function describeReceived(value: unknown): string {
  if (value == null) return ` Received ${value}`;
  if (typeof value === 'function') return ` Received function ${value.name || '<anonymous>'}`;
  if (typeof value === 'object') {
    const ctor = (value as { constructor?: { name?: string } }).constructor;
    return ctor?.name ? ` Received an instance of ${ctor.name}` : ' Received an object';
  }
  let shown = typeof value === 'bigint' ? `${value}n` : String(value);
  if (typeof value === 'string') shown = `'${shown.length > 28 ? `${shown.slice(0, 25)}...` : shown}'`;
  return ` Received type ${typeof value} (${shown})`;
}

const subject = (name: string) => (name.includes('.') ? `The "${name}" property` : `The "${name}" argument`);

/** A duration in milliseconds: a number >= 0; `Infinity` means no deadline. */
export function validateMs(value: unknown, name: string): asserts value is number {
  if (typeof value !== 'number') {
    throw new TypeError(`${subject(name)} must be of type number.${describeReceived(value)}`);
  }
  if (!(value >= 0)) {
    throw new RangeError(
      `The value of "${name}" is out of range. It must be >= 0 (Infinity for no deadline). Received ${value}`,
    );
  }
}

export function validateSignal(value: unknown, name: string): asserts value is AbortSignal | undefined {
  if (value !== undefined && !(value instanceof AbortSignal)) {
    throw new TypeError(`${subject(name)} must be an instance of AbortSignal.${describeReceived(value)}`);
  }
}

export function validateOptions(value: unknown, name: string): asserts value is object | undefined {
  if (value !== undefined && (value === null || typeof value !== 'object')) {
    throw new TypeError(`${subject(name)} must be of type object.${describeReceived(value)}`);
  }
}

export function validateOperation(value: unknown, name: string): void {
  if (typeof value !== 'function' && !isThenable(value)) {
    throw new TypeError(
      `${subject(name)} must be a promise or a function (signal) => value.${describeReceived(value)}`,
    );
  }
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
