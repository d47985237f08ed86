import { invalidArgType } from './errors.js';

export function validateFunction(value: unknown, name: string): void {
  if (typeof value !== 'function') throw invalidArgType(name, 'of type function', value);
}

export function validateOptions(value: unknown, name = 'options'): void {
  if (value !== undefined && (value === null || typeof value !== 'object'))
    throw invalidArgType(name, 'of type object', value);
}

export function validateName(value: unknown, name = 'options.name'): string | undefined {
  if (value !== undefined && typeof value !== 'string') throw invalidArgType(name, 'of type string', value);
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

/** True for anything `await` would treat as a promise. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
