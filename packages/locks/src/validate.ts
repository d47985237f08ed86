/** Argument checks at the door, with Node-core style messages that name the argument and what was received. */

import { invalidArgType } from '@x/internal';

export { ownOptions, validateInteger, validateObject, validateWaitOptions } from '@x/internal';

export function validateFunction(
  value: unknown,
  name: string,
): asserts value is (...args: never[]) => unknown {
  if (typeof value !== 'function') throw invalidArgType(name, 'a function', value);
}
