/** Argument checks at the door, with Node-core style messages that name the argument and what was received. */

import { invalidArgType, isThenable, outOfRange } from '@x/internal';

export {
  describeReceived,
  isThenable,
  ownOptions,
  validateSignal,
} from '@x/internal';

/** A duration in milliseconds: a number >= 0; `Infinity` means no deadline. */
export function validateMs(value: unknown, name: string): asserts value is number {
  if (typeof value !== 'number') throw invalidArgType(name, 'of type number', value);
  if (!(value >= 0)) throw outOfRange(name, '>= 0 (Infinity for no deadline)', value);
}

export function validateOperation(value: unknown, name: string): void {
  if (typeof value !== 'function' && !isThenable(value)) {
    throw invalidArgType(name, 'a promise or a function (signal) => value', value);
  }
}
