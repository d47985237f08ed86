import { createHash } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeReceived, subject } from '@x/internal';

/** Any function; the shape remote code must have. */
export type AnyFunction = (...args: any[]) => any;

const MODULE_FUNCTION = Symbol.for('@x/executor.ModuleFunction');
declare const functionType: unique symbol;

/**
 * A reference to a function exported by a module, made by {@link fromModule}. It carries the function's
 * type (`F`) so `toThread(ref, ...args)` is typed by `F`'s parameters and result; at run time it is a
 * plain object naming the module URL and the export, which each worker imports once.
 */
export interface ModuleFunction<F extends AnyFunction = AnyFunction> {
  /** The module's URL (`file:` for paths). */
  readonly url: string;
  /** The name of the export, `default` by default. */
  readonly exportName: string;
  /** Type-only: the function's type. Never present at run time. */
  readonly [functionType]?: F;
}

/** What a worker package accepts as code to run: a self-contained function or a module function. */
export type RemoteFunction<F extends AnyFunction = AnyFunction> = F | ModuleFunction<F>;

/** The function type named by a {@link RemoteFunction}. */
export type FunctionOf<R> = R extends ModuleFunction<infer F> ? F : R extends AnyFunction ? R : never;

/**
 * The plain, cloneable description of remote code that travels to workers. `key` is a stable cache key:
 * a worker that has seen a key needs only the key (the executor sends `source` once per worker).
 */
export type RemoteRef =
  | { readonly kind: 'source'; readonly key: string; readonly source: string }
  | { readonly kind: 'module'; readonly key: string; readonly url: string; readonly exportName: string };

const looksLikeUrl = (s: string) => /^[a-zA-Z][a-zA-Z\d+.-]+:/.test(s) && !/^[a-zA-Z]:[\\/]/.test(s);

/**
 * Names a function exported by a module so it can run in a worker thread, a child process or the sync
 * bridge; the module is imported once per worker. Throws a `TypeError` for a `urlOrPath` that is not a
 * string or URL, or an `exportName` that is not a non-empty string; a missing export or a module that
 * throws while loading fails the task that uses it (the worker stays healthy).
 *
 * @example
 * ```ts
 * import { fromModule } from '@x/executor';
 * const fib = fromModule<typeof import('./fib.js')['fib']>(new URL('./fib.js', import.meta.url), 'fib');
 * await toThread(fib, 30); // typed: (n: number) => number
 * ```
 * Python's counterpart is pickling a module-level function by its qualified name.
 */
export function fromModule<F extends AnyFunction = AnyFunction>(
  urlOrPath: string | URL,
  exportName = 'default',
): ModuleFunction<F> {
  let url: string;
  if (urlOrPath instanceof URL) url = urlOrPath.href;
  else if (typeof urlOrPath === 'string' && urlOrPath !== '') {
    url = looksLikeUrl(urlOrPath) ? new URL(urlOrPath).href : pathToFileURL(path.resolve(urlOrPath)).href;
  } else {
    throw new TypeError(
      `${subject('urlOrPath')} must be a non-empty string or an instance of URL.${describeReceived(urlOrPath)}`,
    );
  }
  if (typeof exportName !== 'string' || exportName === '') {
    throw new TypeError(
      `${subject('exportName')} must be a non-empty string.${describeReceived(exportName)}`,
    );
  }
  const ref: RemoteRef = { kind: 'module', key: `m:${url}#${exportName}`, url, exportName };
  return Object.freeze({ url, exportName, [MODULE_FUNCTION]: ref }) as ModuleFunction<F>;
}

/** True when `value` was made by {@link fromModule} (by any copy of this package). */
export function isModuleFunction(value: unknown): value is ModuleFunction {
  return typeof value === 'object' && value !== null && MODULE_FUNCTION in value;
}

const byFunction = new WeakMap<Function, RemoteRef>();
const bySource = new Map<string, RemoteRef>();
const MAX_SOURCES = 4096;

/**
 * Validates remote code and returns its cloneable {@link RemoteRef}, cached so that calling it for the same
 * function (or the same source text) is cheap. Throws a `TypeError` naming `argName` for anything but a
 * self-contained function or a {@link ModuleFunction}, and for native, bound and class functions, whose
 * source cannot be re-created in a worker.
 *
 * @example
 * ```ts
 * const ref = toRemoteRef((n: number) => n + 1); // { kind: 'source', key: 's:…', source: '(n) => n + 1' }
 * ```
 * Python's counterpart is `pickle.dumps(fn)`.
 */
export function toRemoteRef(fn: unknown, argName = 'fn'): RemoteRef {
  if (typeof fn === 'function') {
    const cached = byFunction.get(fn);
    if (cached !== undefined) return cached;
    const source = Function.prototype.toString.call(fn);
    let ref = bySource.get(source);
    if (ref === undefined) {
      if (/\{\s*\[native code\]\s*\}\s*$/.test(source)) {
        throw new TypeError(
          `${subject(argName)} must be a self-contained function whose source can be sent to a worker; a native or bound function has none.${describeReceived(fn)}. Wrap it: (...args) => work(...args), or use fromModule().`,
        );
      }
      if (/^class\b/.test(source)) {
        throw new TypeError(`${subject(argName)} must be a function, not a class.${describeReceived(fn)}`);
      }
      const key = `s:${createHash('sha1').update(source).digest('base64url')}`;
      ref = { kind: 'source', key, source };
      if (bySource.size >= MAX_SOURCES) bySource.clear();
      bySource.set(source, ref);
    }
    byFunction.set(fn, ref);
    return ref;
  }
  if (isModuleFunction(fn)) return (fn as unknown as Record<symbol, RemoteRef>)[MODULE_FUNCTION]!;
  throw new TypeError(
    `${subject(argName)} must be a function or a module function made by fromModule().${describeReceived(fn)}`,
  );
}
