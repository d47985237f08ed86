import { invalidArgType } from '@x/internal';

export { isThenable } from '@x/internal';

export function validateFunction(value: unknown, name: string): void {
  if (typeof value !== 'function') throw invalidArgType(name, 'of type function', value);
}

export function validateName(value: unknown, name = 'options.name'): string | undefined {
  if (value !== undefined && typeof value !== 'string') throw invalidArgType(name, 'of type string', value);
  return value;
}
