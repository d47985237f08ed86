import { applyErrorBrands, errorBrandsOf } from '@x/internal';
import { CapturedVariableError, DataCloneError } from './errors.js';

/**
 * A thrown value in a plain, structured-cloneable form. Errors keep their class (the nearest built-in
 * ancestor), name, message, stack, cause (recursively), `errors` of an AggregateError and own enumerable
 * properties such as `code`; anything else thrown travels as `{ kind: 'value' }`.
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
    return { kind: 'value', value: cloneable(error) ? error : String(error) };
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
 * Never throws: a value that cannot be cloned travels as its string form.
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
    return { kind: 'value', value: String(error) };
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
 * thrown in a worker is `instanceof TimeoutError` here). A thrown non-error comes back as itself.
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
