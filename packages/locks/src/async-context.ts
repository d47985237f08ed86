import { nodeBuiltin } from '@x/internal';

/**
 * The caller's async context (what `AsyncLocalStorage` reads: request ids, tracing spans), captured when a
 * call is queued so that it runs in it when a slot frees, instead of in the context of whichever call
 * happened to finish. Node's `AsyncResource`, feature-detected: elsewhere (browsers, Node < 20.16 without
 * `process.getBuiltinModule`) there is no such context to keep and calls run as they are.
 */

/** Runs `fn(...args)` inside the captured context. */
export interface CapturedContext {
  runInAsyncScope<A extends unknown[], R>(fn: (...args: A) => R, thisArg: undefined, ...args: A): R;
}

type AsyncResourceClass = new (type: string) => CapturedContext;

const AsyncResource = nodeBuiltin<{ AsyncResource?: AsyncResourceClass }>('node:async_hooks')?.AsyncResource;

/** The current async context, or `undefined` where the runtime has none to capture. */
export const captureContext: () => CapturedContext | undefined =
  AsyncResource === undefined ? () => undefined : () => new AsyncResource('@x/locks:limit');
