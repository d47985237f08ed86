import {
  type AnyFunction,
  describeReceived,
  ownOptions,
  type RemoteFunction,
  toRemoteRef,
} from '@x/executor';
import { type StreamChunk, SyncBridge } from './sync-bridge.js';
import type { SyncStream } from './sync-stream.js';

let defaultBridge: SyncBridge | undefined;

/** The shared bridge the functions below use: created on first use; its worker never keeps Node alive. */
function bridge(): SyncBridge {
  return (defaultBridge ??= new SyncBridge());
}

/**
 * Runs the async function `fn(...args)` in a persistent bridge worker and returns its value synchronously,
 * blocking the calling thread meanwhile, or throws its error synchronously (same class, message, remote
 * stack and `cause`). `fn` must be self-contained (it runs in another thread: pass what it needs as
 * arguments, `await import()` what it uses) or a `fromModule` reference. Throws `TypeError` for a
 * non-function, `DataCloneError` for a value that cannot be cloned, `WorkerCrashedError` if the worker
 * died (the next call gets a fresh one) and `ReentrantCallError` when called inside a bridged function.
 *
 * @example
 * ```ts
 * import { runSync } from '@x/sync-bridge';
 * function getUserSync(id: number) {
 *   return runSync(async (id) => (await fetch(`https://api.example.com/users/${id}`)).json(), id);
 * }
 * ```
 * The seeds' `run_async(lambda: fetch_data(user_id))`: `asyncio.run` from synchronous code.
 */
export function runSync<F extends AnyFunction>(
  fn: RemoteFunction<F>,
  ...args: Parameters<F>
): Awaited<ReturnType<F>> {
  return bridge().run(fn, ...args);
}

/**
 * Runs `fn(...args)`, which returns an async iterable (an async generator, a `ReadableStream`, an SDK
 * stream), in the bridge worker and returns a synchronous generator yielding each chunk as soon as it is
 * produced. The producer runs at most 128 chunks ahead (backpressure; see `SyncBridge`'s `highWaterMark`);
 * `break`/`return`/a throw in the loop closes the async iterator (its `finally` runs before the loop
 * exits); a producer's error is thrown at the consumer's next step. Throws like {@link runSync}.
 *
 * @example
 * ```ts
 * import { runSyncStream } from '@x/sync-bridge';
 * for (const token of runSyncStream(async function* () { yield 'Hel'; yield 'lo'; })) {
 *   process.stdout.write(token);
 * }
 * ```
 * The seeds' `run_async_stream(lambda: get_llm_stream())`: `async for` from synchronous code.
 */
export function runSyncStream<F extends AnyFunction>(
  fn: RemoteFunction<F>,
  ...args: Parameters<F>
): SyncStream<StreamChunk<F>> {
  return bridge().stream(fn, ...args);
}

/** Options of {@link createSyncFunction}. */
export interface CreateSyncFunctionOptions {
  /**
   * The bridge to run on.
   * @default the shared default bridge
   * @example createSyncFunction(fn, { bridge: new SyncBridge({ timeout: 1000 }) })
   */
  bridge?: SyncBridge;
}

/**
 * Makes a synchronous function from an async one, typically a module export named with `fromModule`, so
 * the types flow from the module: `(...args: Parameters<F>) => Awaited<ReturnType<F>>`. Each call behaves
 * like {@link runSync}. Throws `TypeError` at once for anything but a function or a module function.
 *
 * @example
 * ```ts
 * import { createSyncFunction, fromModule } from '@x/sync-bridge';
 * const readConfig = createSyncFunction(
 *   fromModule<typeof import('./config.js')['readConfig']>(new URL('./config.js', import.meta.url), 'readConfig'),
 * );
 * const config = readConfig('app.json'); // synchronous
 * ```
 * Like wrapping a coroutine function in `lambda *a: asyncio.run(f(*a))`.
 */
export function createSyncFunction<F extends AnyFunction>(
  fn: RemoteFunction<F>,
  options: CreateSyncFunctionOptions = {},
): (...args: Parameters<F>) => Awaited<ReturnType<F>> {
  toRemoteRef(fn, 'fn');
  options = ownOptions(options, 'options');
  const explicit = options.bridge;
  if (explicit !== undefined && !(explicit instanceof SyncBridge)) {
    throw new TypeError(
      `The "options.bridge" property must be an instance of SyncBridge.${describeReceived(explicit)}`,
    );
  }
  return (...args) => (explicit ?? bridge()).run(fn, ...args);
}
