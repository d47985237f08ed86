import { inspect } from 'node:util';
import { applyErrorBrands, errorBrandsOf } from '@x/internal';
import { CapturedVariableError, DataCloneError } from './errors.js';

/**
 * A thrown value in a plain, structured-cloneable form. Errors keep their class (the nearest built-in
 * ancestor), name, message, stack, cause (recursively), `errors` of an AggregateError and own enumerable
 * properties such as `code`; anything else thrown travels as `{ kind: 'value' }`: itself when it clones, else
 * (an object holding a function, say) a plain copy of its own enumerable properties that clone, with a
 * `message` string (its own, or a description of it), and a primitive that cannot clone (a symbol) as its string.
 */
export type SerializedError =
  | {
      kind: 'error';
      /** The nearest built-in constructor in the prototype chain: `TypeError`, `DOMException`, ... */
      base: string;
      /** The remote constructor's own name, e.g. `ValidationError`. */
      constructorName: string;
      name: string;
      message: string;
      stack: string | undefined;
      cause?: SerializedError;
      errors?: SerializedError[];
      props?: Record<string, unknown>;
      /** The codes of the @x error brands it carried, so it stays `instanceof` its @x class (e.g. `TimeoutError`). */
      brands?: string[];
    }
  | { kind: 'value'; value: unknown };

const BUILTINS: Record<string, ErrorConstructor | AggregateErrorConstructor> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
  AggregateError,
};

/** This package's errors that workers raise (a result that cannot be sent back, a captured variable). */
const OWN_CLASSES: Record<string, { prototype: object; code: string } | undefined> = {
  DataCloneError: { prototype: DataCloneError.prototype, code: 'ERR_X_DATA_CLONE' },
  CapturedVariableError: { prototype: CapturedVariableError.prototype, code: 'ERR_X_CAPTURED_VARIABLE' },
};

const OMITTED = new Set(['name', 'message', 'stack', 'cause', 'errors']);
const MAX_DEPTH = 8;

const isPrimitive = (v: unknown) => v === null || (typeof v !== 'object' && typeof v !== 'function');

function cloneable(value: unknown): boolean {
  if (isPrimitive(value)) return typeof value !== 'symbol';
  if (typeof value === 'function') return false;
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}

/** Most properties and elements copied from one uncloneable thrown value, all levels together. */
const MAX_COPIED = 1000;
const OMIT = Symbol('omit');

/**
 * What of `value` can travel: itself if it clones, else (an object or array, above the depth bound) a plain
 * copy of its own enumerable properties that do, recursively; functions, symbols, cycles and what is past the
 * bounds are left out.
 */
function cloneablePart(value: unknown, depth: number, seen: Set<object>, budget: { left: number }): unknown {
  if (cloneable(value)) return value;
  if (value === null || typeof value !== 'object' || seen.has(value) || depth >= MAX_DEPTH) return OMIT;
  seen.add(value);
  const array = Array.isArray(value);
  const out: Record<string, unknown> | unknown[] = array ? [] : {};
  for (const key of Object.keys(value)) {
    if (--budget.left < 0) break;
    let part: unknown = OMIT;
    try {
      part = cloneablePart((value as Record<string, unknown>)[key], depth + 1, seen, budget);
    } catch {
      // A getter that throws: leave the property out.
    }
    if (part !== OMIT) (out as Record<string, unknown>)[key] = part;
    else if (array) (out as unknown[])[Number(key)] = undefined;
  }
  seen.delete(value);
  return out;
}

/** A thrown object that cannot be cloned, as a plain object with what of it can travel and a `message`. */
function serializeObject(thrown: object): Record<string, unknown> {
  let part: unknown = OMIT;
  try {
    part = cloneablePart(thrown, 0, new Set(), { left: MAX_COPIED });
  } catch {
    // A proxy whose traps throw: nothing of it can be read, only described.
  }
  const copy: Record<string, unknown> =
    part !== OMIT && !Array.isArray(part) ? (part as Record<string, unknown>) : {};
  if (typeof copy.message !== 'string') copy.message = messageOf(thrown);
  return copy;
}

/** The thrown object's `message` string if it has one (own or inherited), else a description of it. */
function messageOf(thrown: object): string {
  try {
    const message = (thrown as { message?: unknown }).message;
    if (typeof message === 'string') return message;
    const options = { depth: 2, breakLength: Number.POSITIVE_INFINITY, maxStringLength: 200 };
    return inspect(thrown, options).slice(0, 500);
  } catch {
    return `a thrown ${Array.isArray(thrown) ? 'array' : 'object'} that could not be described`;
  }
}

function baseOf(error: Error): string {
  if (typeof DOMException !== 'undefined' && error instanceof DOMException) return 'DOMException';
  for (let p = Object.getPrototypeOf(error); p !== null; p = Object.getPrototypeOf(p)) {
    const name = (p as { constructor?: { name?: string } }).constructor?.name;
    if (name && BUILTINS[name]?.prototype === p) return name;
  }
  return 'Error';
}

function serialize(error: unknown, depth: number, seen: Set<unknown>): SerializedError {
  const isErrorLike =
    error instanceof Error ||
    (typeof error === 'object' &&
      error !== null &&
      typeof (error as Error).message === 'string' &&
      typeof (error as Error).name === 'string' &&
      typeof (error as Error).stack === 'string');
  if (!isErrorLike) {
    if (cloneable(error)) return { kind: 'value', value: error };
    // A function's string form is its source, as readable as anything we could build from it.
    if (typeof error !== 'object' || error === null) return { kind: 'value', value: String(error) };
    return { kind: 'value', value: serializeObject(error) };
  }
  const e = error as Error & { errors?: unknown };
  seen.add(e);
  const out: Extract<SerializedError, { kind: 'error' }> = {
    kind: 'error',
    base: error instanceof Error ? baseOf(error) : 'Error',
    constructorName: (e.constructor as { name?: string } | undefined)?.name ?? 'Error',
    name: String(e.name),
    message: String(e.message),
    stack: typeof e.stack === 'string' ? e.stack : undefined,
  };
  if ('cause' in e && depth < MAX_DEPTH && !seen.has(e.cause))
    out.cause = serialize(e.cause, depth + 1, seen);
  if (Array.isArray(e.errors) && depth < MAX_DEPTH) {
    out.errors = e.errors.map((x) =>
      seen.has(x) ? { kind: 'value', value: '[Circular]' } : serialize(x, depth + 1, seen),
    );
  }
  const brands = errorBrandsOf(e);
  if (brands.length) out.brands = brands;
  for (const key of Object.keys(e)) {
    if (OMITTED.has(key)) continue;
    const value = (e as unknown as Record<string, unknown>)[key];
    if (!cloneable(value)) continue;
    (out.props ??= {})[key] = value;
  }
  return out;
}

/**
 * Turns anything thrown into a {@link SerializedError} that survives `postMessage` and IPC, keeping what
 * structured clone drops: the class, custom `name`, own properties like `code`, and `cause` chains.
 * Never throws. A thrown non-error object that cannot be cloned (one holding a function) travels as a plain
 * object of its own enumerable properties that clone (recursively; functions and symbols left out; at most
 * 8 levels and 1000 properties) plus a `message` string: its own `message`, or a description like
 * `util.inspect`'s. A symbol travels as its string form.
 *
 * @example
 * ```ts
 * port.postMessage(serializeError(error)); // other side: throw deserializeError(message)
 * ```
 * Python's counterpart is how `concurrent.futures` pickles a worker's exception with its traceback.
 */
export function serializeError(error: unknown): SerializedError {
  try {
    return serialize(error, 0, new Set());
  } catch {
    try {
      return { kind: 'value', value: String(error) };
    } catch {
      return { kind: 'value', value: 'a thrown value that could not be serialized' };
    }
  }
}

function define(target: object, key: string, value: unknown) {
  Object.defineProperty(target, key, { value, writable: true, configurable: true, enumerable: false });
}

/**
 * Re-creates a thrown value from {@link serializeError}: an instance of the same built-in class where one
 * exists (`TypeError`, `RangeError`, `AggregateError`, `DOMException`, ...), of this package's own class for
 * the errors a worker raises about the transport (`DataCloneError`, `CapturedVariableError`, recognised by
 * class name and `code`), otherwise an `Error` whose `name` is the remote one, with the remote stack (marked `at <received from a worker>`), `cause` and properties restored.
 * An @x error keeps its identity: it is `instanceof` the @x classes it was (a `TimeoutError` of `@x/timeout`
 * thrown in a worker is `instanceof TimeoutError` here). A thrown non-error comes back as itself, or, when it
 * could not be cloned, as the plain object {@link serializeError} made of it (what clones, and a `message`).
 *
 * @example
 * ```ts
 * const error = deserializeError(message.error); // error instanceof TypeError, error.code === 'E_BAD'
 * ```
 * Python's counterpart is the re-raised exception of `Future.result()`.
 */
export function deserializeError(serialized: SerializedError): unknown {
  if (serialized.kind === 'value') return serialized.value;
  const { base, name, message, stack, cause, errors, props, brands } = serialized;
  // The local stack here would only show the scheduler's message handler: skip capturing it (formatting a
  // stack is the costly part of creating an error) and keep the remote one.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  let error: Error;
  try {
    if (base === 'DOMException' && typeof DOMException !== 'undefined') {
      error = new DOMException(message, name);
    } else if (base === 'AggregateError') {
      error = new AggregateError((errors ?? []).map(deserializeError), message);
    } else {
      error = new ((BUILTINS[base] as ErrorConstructor | undefined) ?? Error)(message);
    }
  } finally {
    Error.stackTraceLimit = limit;
  }
  const own = OWN_CLASSES[serialized.constructorName];
  if (own !== undefined && props?.code === own.code) Object.setPrototypeOf(error, own.prototype);
  if (error.name !== name) define(error, 'name', name);
  if (base !== 'AggregateError' && errors) define(error, 'errors', errors.map(deserializeError));
  if (cause !== undefined) define(error, 'cause', deserializeError(cause));
  if (props) Object.assign(error, props);
  if (brands) applyErrorBrands(error, brands);
  define(error, 'stack', `${stack ?? `${name}: ${message}`}\n    at <received from a worker>`);
  return error;
}
