import { describeReceived } from './index.js';

/**
 * Throws a `TypeError` with code `ERR_INVALID_ARG_VALUE` naming the first own property of `options` that is not
 * in `known`, so a misspelt option (`{ sigal }`, `{ waitforstop: true }`) fails at the door instead of being
 * silently ignored. Call it after `validateObject`; undefined passes.
 *
 * @example
 * ```ts
 * validateOptionNames(options, ['name', 'signal'], 'options');
 * // TypeError: The "options.sigal" property is not a known option (expected one of: name, signal). Received ...
 * ```
 * Python's counterpart is the `TypeError` of an unexpected keyword argument.
 */
export function validateOptionNames(
  options: object | undefined,
  known: readonly string[],
  name: string,
): void {
  if (options === undefined) return;
  for (const key in options) {
    if (!Object.hasOwn(options, key) || known.includes(key)) continue;
    const value = (options as Record<string, unknown>)[key];
    throw Object.assign(
      new TypeError(
        `The "${name}.${key}" property is not a known option (expected one of: ${known.join(', ')}).${describeReceived(value)}`,
      ),
      { code: 'ERR_INVALID_ARG_VALUE' },
    );
  }
}
