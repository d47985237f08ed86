import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Script, constants as vmConstants } from 'node:vm';
import { CapturedVariableError } from './errors.js';
import type { AnyFunction, RemoteRef } from './remote-function.js';

interface Entry {
  fn: AnyFunction | undefined;
  loading: Promise<AnyFunction> | undefined;
  source: string | undefined;
}

const cache = new Map<string, Entry>();

// Bound at load: a task may replace `globalThis.process`, and later tasks must still compile and load.
const realProcess = process;
const cwd = process.cwd.bind(process);

let shimmed = false;
function installShims() {
  if (shimmed) return;
  shimmed = true;
  // Functions compiled by esbuild with keepNames (tsx, some bundlers) call a module-local `__name`
  // helper that does not exist in the worker; give them a global one.
  const g = globalThis as { __name?: unknown; __vite_ssr_dynamic_import__?: unknown; require?: unknown };
  // Inline functions often use `require`; workers run as ES modules, so give them one that resolves
  // from the working directory (where the app's node_modules are).
  if (g.require === undefined) g.require = createRequire(pathToFileURL(`${cwd()}/`).href);
  if (g.__name === undefined) {
    g.__name = (target: object, value: string) =>
      Object.defineProperty(target, 'name', { value, configurable: true });
  }
  // Vitest rewrites `import()` in test files to this helper; functions defined in tests still work.
  if (g.__vite_ssr_dynamic_import__ === undefined) {
    g.__vite_ssr_dynamic_import__ = evaluate('(specifier) => import(specifier)') as (s: string) => unknown;
  }
}

// Indirect eval compiles in the worker's global scope, so the function sees globals only. Running the
// caller's code is the point of this module, so the lint rule does not apply.
// biome-ignore lint/security/noGlobalEval: compiling the caller's function is this module's job
const globalEval = eval;

const mainLoader = (vmConstants as unknown as { USE_MAIN_CONTEXT_DEFAULT_LOADER?: symbol } | undefined)
  ?.USE_MAIN_CONTEXT_DEFAULT_LOADER;

let quietLoaderWarning = false;

/**
 * Evaluates `code` in the worker's global scope. Where Node has it (20.12+), through a `vm.Script` whose
 * `import()` uses Node's own loader with the working directory as the referrer, so `await import('pkg')`
 * in a self-contained function resolves like `require` does here: from the app's `node_modules`, not from
 * wherever this package is installed (which fails for the app's dependencies under pnpm's strict layout).
 */
function evaluate(code: string): unknown {
  if (mainLoader === undefined) return globalEval(code);
  if (!quietLoaderWarning) {
    // Node flags this loader option as experimental, once per thread, at the first import() through it. It is
    // our internal means of resolving the caller's imports correctly, so that one warning is dropped in this
    // worker (only it: every other warning is emitted as usual).
    quietLoaderWarning = true;
    const emitWarning = realProcess.emitWarning;
    realProcess.emitWarning = function (this: unknown, warning: string | Error, ...rest: unknown[]) {
      if (String(warning).includes('USE_MAIN_CONTEXT_DEFAULT_LOADER')) return;
      return (emitWarning as (...args: unknown[]) => void).call(this, warning, ...rest);
    } as typeof process.emitWarning;
  }
  const script = new Script(code, {
    filename: join(cwd(), '[remote function]'),
    importModuleDynamically: mainLoader as never,
  });
  return script.runInThisContext();
}

function compile(source: string): AnyFunction {
  installShims();
  let value: unknown;
  try {
    value = evaluate(`(${source}\n)`);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    // Method shorthand (`run(x) { ... }`) is not an expression on its own; wrap it in an object literal.
    try {
      value = Object.values(evaluate(`({${source}\n})`) as object)[0];
    } catch {
      throw error;
    }
  }
  if (typeof value !== 'function')
    throw new TypeError(`The source sent to the worker is not a function: ${source}`);
  return value as AnyFunction;
}

async function importModule(url: string): Promise<Record<string, unknown>> {
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (error) {
    if (!url.startsWith('file:')) throw error;
    const code = (error as { code?: string }).code;
    if (code === 'ERR_UNKNOWN_FILE_EXTENSION') return requireTypeScript(url, error);
    if (code !== 'ERR_MODULE_NOT_FOUND' || existsSync(fileURLToPath(url))) throw error;
    return importTypeScriptSource(url, error);
  }
}

/**
 * On Node 20 a TS loader's ESM hooks (tsx via --import) do not reach worker threads, but its require hook does:
 * load a .ts module through require instead.
 */
function requireTypeScript(url: string, error: unknown): Record<string, unknown> {
  try {
    return createRequire(url)(fileURLToPath(url)) as Record<string, unknown>;
  } catch {
    throw error;
  }
}

/** The TypeScript sources TypeScript compiles to each JavaScript extension, in the order it prefers them. */
const SOURCES_OF: Record<string, string[]> = {
  '.js': ['.ts', '.tsx'],
  '.jsx': ['.tsx'],
  '.mjs': ['.mts'],
  '.cjs': ['.cts'],
};

/**
 * `fromModule(new URL('./work.js', import.meta.url))` is what a TypeScript app under NodeNext writes: the name
 * of the compiled file. Run from source (tsx), only `work.ts` exists; the app's loader maps the name, and so do we
 * where its hooks do not reach (threads, the sync bridge). If the source cannot be loaded either, say what to do.
 */
async function importTypeScriptSource(url: string, notFound: unknown): Promise<Record<string, unknown>> {
  const path = fileURLToPath(url);
  const ext = extname(path);
  const source = SOURCES_OF[ext]
    ?.map((other) => path.slice(0, -ext.length) + other)
    .find((candidate) => existsSync(candidate));
  if (source === undefined) throw notFound;
  const sourceUrl = pathToFileURL(source).href;
  try {
    return await importModule(sourceUrl);
  } catch (cause) {
    const error = new Error(
      `Cannot find module ${url}, but its TypeScript source ${sourceUrl} exists and this worker could not load it (${(cause as Error)?.message ?? String(cause)}). Build the app to JavaScript, or run it with a TypeScript loader that reaches worker threads: \`node --import tsx app.ts\` or \`tsx app.ts\` (threads inherit it), or Node 22.6+ with --experimental-strip-types.`,
      { cause },
    );
    (error as { code?: string }).code = 'ERR_MODULE_NOT_FOUND';
    throw error;
  }
}

async function load(ref: Extract<RemoteRef, { kind: 'module' }>, entry: Entry): Promise<AnyFunction> {
  try {
    const mod = await importModule(ref.url);
    let fn = mod[ref.exportName];
    // A CommonJS module imported from ESM exposes module.exports as `default`.
    if (fn === undefined && ref.exportName !== 'default' && mod.default && typeof mod.default === 'object') {
      fn = (mod.default as Record<string, unknown>)[ref.exportName];
    }
    if (typeof fn !== 'function') {
      const names = Object.keys(mod).join(', ') || 'none';
      throw new TypeError(
        fn === undefined
          ? `The module ${ref.url} has no export named "${ref.exportName}" (its exports: ${names}).`
          : `The export "${ref.exportName}" of ${ref.url} is not a function (it is ${typeof fn}).`,
      );
    }
    entry.fn = fn as AnyFunction;
    return entry.fn;
  } catch (error) {
    // Do not cache a failure: the next task retries (and reports the error again).
    cache.delete(ref.key);
    throw error;
  }
}

/**
 * Worker side: returns the function a {@link RemoteRef} names, compiling source or importing the module
 * once per key (later calls may pass just the key). Throws (or rejects, for a module) with the compile
 * or import error; an unknown key throws an `Error`.
 *
 * @example
 * ```ts
 * const fn = await resolveRemote({ kind: 'source', key: 'k', source: '(a, b) => a + b' });
 * ```
 * Python's counterpart is `pickle.loads` of a function.
 */
export function resolveRemote(ref: RemoteRef | string): AnyFunction | Promise<AnyFunction> {
  const key = typeof ref === 'string' ? ref : ref.key;
  let entry = cache.get(key);
  if (entry === undefined) {
    if (typeof ref === 'string') {
      throw new Error(
        `Internal error: the worker has no function for key ${key}; its definition was never sent.`,
      );
    }
    entry = { fn: undefined, loading: undefined, source: ref.kind === 'source' ? ref.source : undefined };
    cache.set(key, entry);
    if (ref.kind === 'source') {
      try {
        entry.fn = compile(ref.source);
      } catch (error) {
        cache.delete(key);
        throw error;
      }
    } else {
      entry.loading = load(ref, entry);
    }
  }
  return entry.fn ?? entry.loading!;
}

/**
 * How engines word "this identifier has no binding": V8 and SpiderMonkey (Node, Deno, Chromium, Firefox) say
 * `x is not defined`, JavaScriptCore (Bun, Safari) says `Can't find variable: x`, Chakra quoted the name
 * (`'x' is not defined`). Matched by form, not by one wording, so every runtime gets the explanation.
 */
const UNDEFINED_IDENTIFIER = [
  /^['"]?([\p{L}\p{Nl}$_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}$\u200c\u200d]*)['"]? is not defined$/u,
  /^Can't find variable: ([\p{L}\p{Nl}$_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}$\u200c\u200d]*)$/u,
];

/** The identifier an engine's "not defined" `ReferenceError` message names, or `undefined` for any other message. */
export function undefinedIdentifier(message: string): string | undefined {
  for (const form of UNDEFINED_IDENTIFIER) {
    const match = form.exec(message);
    if (match !== null) return match[1];
  }
  return undefined;
}

function explain(error: unknown, key: string): unknown {
  if (!(error instanceof ReferenceError) || error instanceof CapturedVariableError) return error;
  const source = cache.get(key)?.source;
  const id = undefinedIdentifier(error.message);
  if (source === undefined || id === undefined) return error;
  if (!new RegExp(`(^|[^\\w$.])${id.replace(/\$/g, '\\$')}([^\\w$]|$)`).test(source)) return error;
  const wrapped = new CapturedVariableError(id, { cause: error });
  const stack = typeof error.stack === 'string' ? error.stack : '';
  const frames = stack.indexOf('\n    at ');
  if (frames >= 0) wrapped.stack = `${wrapped.name}: ${wrapped.message}${stack.slice(frames)}`;
  // JavaScriptCore and SpiderMonkey stacks are frames only (`fn@file:1:2`), with no message line to replace.
  else if (stack !== '' && !stack.includes(error.message))
    wrapped.stack = `${wrapped.name}: ${wrapped.message}\n${stack}`;
  return wrapped;
}

function call(fn: AnyFunction, args: readonly unknown[], key: string): unknown {
  let result: unknown;
  try {
    result = fn(...args);
  } catch (error) {
    throw explain(error, key);
  }
  if (
    result !== null &&
    typeof result === 'object' &&
    typeof (result as PromiseLike<unknown>).then === 'function'
  ) {
    return Promise.resolve(result).catch((error: unknown) => {
      throw explain(error, key);
    });
  }
  return result;
}

/**
 * Worker side: runs the function a {@link RemoteRef} (or a known key) names with `args`. Returns its value,
 * or a promise when the function is async or its module is still loading. A `ReferenceError` for a
 * variable of the caller's scope is re-thrown as a {@link CapturedVariableError} explaining the fix.
 *
 * @example
 * ```ts
 * invokeRemote({ kind: 'source', key: 'k', source: '(a, b) => a + b' }, [1, 2]); // 3
 * ```
 * Python's counterpart is the worker loop of `concurrent.futures.ProcessPoolExecutor` calling the function.
 */
export function invokeRemote(ref: RemoteRef | string, args: readonly unknown[]): unknown {
  const key = typeof ref === 'string' ? ref : ref.key;
  const fn = resolveRemote(ref);
  if (typeof fn === 'function') return call(fn, args, key);
  return fn.then((loaded) => call(loaded, args, key));
}
