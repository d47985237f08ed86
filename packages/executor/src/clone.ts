import { types } from 'node:util';
import { DataCloneError } from './errors.js';

/** Why `value` itself (not its contents) cannot be structured-cloned, or undefined. */
function refusal(value: unknown): string | undefined {
  switch (typeof value) {
    case 'function':
      return `a function (${(value as Function).name || 'anonymous'}) cannot be cloned`;
    case 'symbol':
      return `a symbol (${String(value)}) cannot be cloned`;
    case 'object': {
      if (value === null) return undefined;
      if (types.isPromise(value)) return 'a Promise cannot be cloned; await it first';
      if (types.isWeakMap(value) || types.isWeakSet(value)) return 'a WeakMap or WeakSet cannot be cloned';
      if (types.isGeneratorObject(value)) return 'a generator cannot be cloned';
      if (types.isProxy(value)) return 'a Proxy cannot be cloned';
      if (value instanceof WeakRef) return 'a WeakRef cannot be cloned';
      return undefined;
    }
    default:
      return undefined;
  }
}

/** Children whose cloneability must also be checked, or undefined for leaves. */
function children(value: object): Iterable<[string, unknown]> | undefined {
  if (Array.isArray(value))
    return value.entries() as Iterable<[unknown, unknown]> as Iterable<[string, unknown]>;
  if (types.isMap(value)) {
    const out: Array<[string, unknown]> = [];
    for (const [k, v] of value as Map<unknown, unknown>)
      out.push(['(map key)', k], [`.get(${String(k)})`, v]);
    return out;
  }
  if (types.isSet(value))
    return [...(value as Set<unknown>)].map((v) => ['(set entry)', v] as [string, unknown]);
  if (
    types.isDate(value) ||
    types.isRegExp(value) ||
    types.isAnyArrayBuffer(value) ||
    ArrayBuffer.isView(value) ||
    types.isBoxedPrimitive(value) ||
    value instanceof Error
  ) {
    return undefined;
  }
  return Object.entries(value);
}

function find(root: unknown): { path: string; reason: string } | undefined {
  const stack: Array<[unknown, string]> = [[root, '']];
  const seen = new Set<unknown>();
  while (stack.length > 0) {
    const [value, at] = stack.pop()!;
    const reason = refusal(value);
    if (reason) return { path: at, reason };
    if (typeof value !== 'object' || value === null || seen.has(value)) continue;
    seen.add(value);
    const kids = children(value);
    if (kids === undefined) continue;
    for (const [key, child] of kids) {
      if (
        child !== null &&
        (typeof child === 'object' || typeof child === 'function' || typeof child === 'symbol')
      ) {
        const step = Array.isArray(value)
          ? `[${key}]`
          : key.startsWith('(') || key.startsWith('.')
            ? ` ${key}`
            : `.${key}`;
        stack.push([child, at + step]);
      }
    }
  }
  return undefined;
}

const isComplex = (v: unknown) =>
  v !== null && (typeof v === 'object' || typeof v === 'function' || typeof v === 'symbol');

/**
 * The common case, fast: plain objects and arrays of plain data, no allocation. True means cloneable;
 * false means "not sure" (a problem, something unusual, or too deep), and the full walk decides.
 */
function plainData(value: unknown, depth: number): boolean {
  if (typeof value !== 'object' || value === null) return !isComplex(value);
  if (depth > 32) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (isComplex(v) && !plainData(v, depth + 1)) return false;
    }
    return true;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) {
    for (const key in value) {
      const v: unknown = (value as Record<string, unknown>)[key];
      if (isComplex(v) && !plainData(v, depth + 1)) return false;
    }
    return true;
  }
  return value instanceof Date || ArrayBuffer.isView(value) || value instanceof RegExp;
}

/**
 * Throws a {@link DataCloneError} naming `position` (e.g. `argument 2`, `the result`) and the path inside
 * it when `value` cannot cross a thread or process boundary by structured clone. Primitives are checked
 * in constant time; objects by one walk, cheaper than a clone. Host objects that only `postMessage` can
 * judge are caught when sending, with the same error.
 *
 * @example
 * ```ts
 * assertCloneable({ ok: 1, fn() {} }, 'argument 1'); // DataCloneError: Cannot send argument 1 (at .fn) ...
 * ```
 * Python's counterpart is the `PicklingError` raised before a task reaches a process.
 */
export function assertCloneable(value: unknown, position: string): void {
  if (!isComplex(value) || plainData(value, 0)) return;
  const problem = find(value);
  if (problem) {
    throw new DataCloneError(
      position + (problem.path ? ` (at ${problem.path.trim()})` : ''),
      `${problem.reason}.`,
    );
  }
}

/**
 * Like {@link assertCloneable}, but asks V8 itself (a real `structuredClone`), so host objects are judged
 * exactly; slower, for the rare path after a send failed.
 *
 * @example
 * ```ts
 * const error = cloneError(value, 'argument 1'); // undefined when cloneable
 * ```
 * Python's counterpart is trying `pickle.dumps(value)`.
 */
export function cloneError(value: unknown, position: string): DataCloneError | undefined {
  try {
    assertCloneable(value, position);
    structuredClone(value);
    return undefined;
  } catch (error) {
    if (error instanceof DataCloneError) return error;
    return new DataCloneError(position, `${(error as Error).message}.`, { cause: error });
  }
}
