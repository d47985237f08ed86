import { availableParallelism } from 'node:os';
import type { AnyFunction, RemoteFunction } from '@x/executor';
import { ThreadPool } from './thread-pool.js';

let defaultPool: ThreadPool | undefined;

/**
 * The shared pool behind {@link toThread}: created on first call with `os.availableParallelism()` threads,
 * whose idle threads never keep the process alive. Use it for what `toThread` cannot express: a signal, a
 * timeout, a transfer list, `map`. Never throws.
 *
 * @example
 * ```ts
 * const value = await defaultThreadPool().submit(parse, [text], { signal: AbortSignal.timeout(1000) });
 * ```
 * Like the default executor of Python's `loop.run_in_executor(None, ...)`.
 */
export function defaultThreadPool(): ThreadPool {
  defaultPool ??= new ThreadPool({ maxThreads: availableParallelism() });
  return defaultPool;
}

/**
 * Runs `fn(...args)` in a worker thread of a shared pool and resolves with its result, so blocking or
 * CPU-heavy code leaves the event loop free (and runs in parallel). `fn` is a self-contained function
 * (it may use only its parameters, globals and `await import()`) or a module function from `fromModule`.
 * Throws a `TypeError` at once for anything else; rejects with the function's own error (class, name,
 * code, cause and remote stack kept), a `DataCloneError` naming an argument or the result that cannot be
 * cloned, or `WorkerCrashedError` if the thread died. Idle threads never keep the process alive.
 *
 * @example
 * ```ts
 * import { toThread } from '@x/to-thread';
 * const hash = await toThread(async (text: string) => {
 *   const { createHash } = await import('node:crypto');
 *   return createHash('sha256').update(text).digest('hex');
 * }, 'hello');
 * ```
 * Like Python's `asyncio.to_thread`.
 */
export function toThread<F extends AnyFunction>(
  fn: RemoteFunction<F>,
  ...args: Parameters<F>
): Promise<Awaited<ReturnType<F>>> {
  return defaultThreadPool().submit(fn, args);
}
