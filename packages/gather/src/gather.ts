import { abortedBySibling } from './errors.js';
import { OpsRun } from './run-ops.js';
import { sharedController } from './shared-controller.js';
import type { Operation, Results, ResultsOrErrors } from './types.js';
import { isThenable, readCommonOptions, toOperations } from './validate.js';

/** Options of {@link gather}. */
export interface GatherOptions {
  /**
   * Resolve with each failure's error in its place instead of rejecting (asyncio's `return_exceptions`).
   * @default false
   */
  readonly returnExceptions?: boolean;
  /**
   * At most this many function operations run at once (an integer >= 1, or `Infinity`). Promises in `ops` are
   * already running and are not counted.
   * @default Infinity
   */
  readonly concurrency?: number;
  /** Aborting it aborts every operation and rejects with `signal.reason`, unchanged. */
  readonly signal?: AbortSignal;
}

type Ops = readonly Operation[] | Iterable<Operation>;

/**
 * Runs every operation at once and resolves to their results in input order, typed per position like `Promise.all`.
 *
 * On the first failure it aborts the signal it gave the other operations (with an `AbortError` whose `cause` is
 * that failure), starts nothing more, and rejects with the failure itself. With `returnExceptions: true` failures
 * take their place in the results instead. Aborting `options.signal` aborts everything and rejects with its
 * reason. Invalid arguments throw synchronously, before anything starts.
 *
 * @example
 * ```ts
 * const [user, order] = await gather([
 *   (signal) => fetchUser(1, { signal }),
 *   (signal) => fetchOrder(101, { signal }),
 * ]);
 * ```
 * Like Python's `asyncio.gather`, plus cancellation of the siblings and a concurrency limit.
 */
export function gather<const O extends Ops>(
  ops: O,
  options: GatherOptions & { readonly returnExceptions: true },
): Promise<ResultsOrErrors<O>>;
export function gather<const O extends Ops>(
  ops: O,
  options?: GatherOptions & { readonly returnExceptions?: false },
): Promise<Results<O>>;
export function gather<const O extends Ops>(
  ops: O,
  options?: GatherOptions,
): Promise<Results<O> | ResultsOrErrors<O>>;
export function gather(ops: unknown, options?: GatherOptions): Promise<unknown[]> {
  const list = toOperations(ops);
  const { concurrency, signal, returnExceptions } = readCommonOptions(options);
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (concurrency < list.length) {
    let functions = 0;
    for (let i = 0; i < list.length; i++) if (typeof list[i] === 'function') functions++;
    if (functions > concurrency) return gatherLimited(list, concurrency, signal, returnExceptions);
  }
  return gatherAll(list, signal, returnExceptions);
}

const passError = (error: unknown) => error;
const ignore = () => {};

function observe(value: unknown): void {
  if (isThenable(value)) Promise.resolve(value).then(undefined, ignore);
}

/** Everything at once: one AbortController, then `Promise.all`, which settles faster than anything we could write. */
function gatherAll(
  ops: readonly unknown[],
  signal: AbortSignal | undefined,
  returnExceptions: boolean,
): Promise<unknown[]> {
  const n = ops.length;
  const values: unknown[] = new Array(n);
  let controller: AbortController | undefined;
  let opSignal: AbortSignal | undefined; // read once: `controller.signal` is a getter
  for (let i = 0; i < n; i++) {
    const op = ops[i];
    if (typeof op !== 'function') {
      values[i] = returnExceptions ? Promise.resolve(op).then(undefined, passError) : op;
      continue;
    }
    if (opSignal === undefined) {
      controller = sharedController();
      opSignal = controller.signal;
    }
    try {
      const value = op(opSignal);
      values[i] =
        returnExceptions && isThenable(value) ? Promise.resolve(value).then(undefined, passError) : value;
    } catch (error) {
      if (returnExceptions) {
        values[i] = error;
        continue;
      }
      controller!.abort(abortedBySibling(error));
      // We reject before Promise.all could observe these; observe them so none rejects unhandled.
      for (let j = 0; j < i; j++) observe(values[j]);
      for (let j = i + 1; j < n; j++) observe(ops[j]);
      return Promise.reject(error);
    }
  }
  const all = Promise.all(values);
  if (signal === undefined) {
    if (returnExceptions || controller === undefined) return all;
    const ctl = controller;
    return all.then(undefined, (error: unknown) => {
      ctl.abort(abortedBySibling(error));
      throw error;
    });
  }
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      controller?.abort(signal.reason);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    all.then(
      (results) => {
        signal.removeEventListener('abort', onAbort);
        resolve(results);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        if (!controller?.signal.aborted) controller?.abort(abortedBySibling(error));
        reject(error);
      },
    );
  });
}

/** At most `concurrency` functions at once, through lanes gated by p-limit (see OpsRun for why lanes). */
function gatherLimited(
  ops: readonly unknown[],
  concurrency: number,
  signal: AbortSignal | undefined,
  returnExceptions: boolean,
): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const controller = sharedController();
    const results: unknown[] = new Array(ops.length);
    let remaining = ops.length;
    const onAbort = () => {
      run.stopped = true;
      controller.abort(signal!.reason);
      reject(signal!.reason);
    };
    const run = new OpsRun(ops, controller.signal, (index, ok, value) => {
      if (run.stopped) return;
      if (ok || returnExceptions) {
        results[index] = value;
        if (--remaining === 0) {
          signal?.removeEventListener('abort', onAbort);
          resolve(results);
        }
        return;
      }
      run.stopped = true;
      signal?.removeEventListener('abort', onAbort);
      controller.abort(abortedBySibling(value));
      reject(value);
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    run.start(concurrency);
  });
}
