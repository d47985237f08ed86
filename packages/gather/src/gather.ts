import { onAbort } from '@x/internal';
import { abortedBySibling } from './errors.js';
import { observeAll } from './observe.js';
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
 * The first `concurrency` functions (all, without a limit) are called synchronously, inside this call.
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
  if (signal?.aborted) {
    observeAll(list);
    return Promise.reject(signal.reason);
  }
  if (concurrency < list.length) {
    let functions = 0;
    for (let i = 0; i < list.length; i++) if (typeof list[i] === 'function') functions++;
    if (functions > concurrency) return gatherLimited(list, concurrency, signal, returnExceptions);
  }
  return gatherAll(list, signal, returnExceptions);
}

const passError = (error: unknown) => error;

/** What `startOne` needs, passed as `map`'s `thisArg` so no closure is created per call. */
interface Start {
  controller: AbortController | undefined;
  signal: AbortSignal | undefined;
  readonly returnExceptions: boolean;
  failed: boolean;
  error: unknown;
}

/** Starts one operation; after a synchronous throw (fail-fast) it starts nothing more. */
function startOne(this: Start, op: unknown): unknown {
  if (typeof op !== 'function')
    return this.returnExceptions ? Promise.resolve(op).then(undefined, passError) : op;
  if (this.failed) return undefined;
  if (this.signal === undefined) {
    this.controller = sharedController();
    this.signal = this.controller.signal;
  }
  try {
    const value = op(this.signal);
    return this.returnExceptions && isThenable(value)
      ? Promise.resolve(value).then(undefined, passError)
      : value;
  } catch (error) {
    if (this.returnExceptions) return error;
    this.failed = true;
    this.error = error;
    return undefined;
  }
}

/**
 * Everything at once: one AbortController, `Array.prototype.map` (its packed result is what `Promise.all` is
 * fastest on) and `Promise.all`, which settles faster than anything we could write.
 *
 * Every path settles the returned promise through a chain V8 can follow (`Promise.all`, a derived promise, our own
 * resolve functions), never through a closure that calls `reject`: V8 writes an error's async stack trace by
 * walking exactly such chains, so an operation's error keeps the caller's `await` frames.
 */
function gatherAll(
  ops: readonly unknown[],
  signal: AbortSignal | undefined,
  returnExceptions: boolean,
): Promise<unknown[]> {
  const start: Start = {
    controller: undefined,
    signal: undefined,
    returnExceptions,
    failed: false,
    error: undefined,
  };
  const values = ops.map(startOne, start);
  const controller = start.controller;
  if (start.failed) {
    controller!.abort(abortedBySibling(start.error));
    // We reject before Promise.all could observe these; observe them so none rejects unhandled.
    observeAll(values);
    return Promise.reject(start.error);
  }
  const all = Promise.all(values);
  if (signal === undefined) {
    if (returnExceptions || controller === undefined) return all;
    return all.then(undefined, (error: unknown) => {
      controller.abort(abortedBySibling(error));
      throw error;
    });
  }
  let resolve!: (results: unknown[]) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<unknown[]>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const subscription = onAbort(signal, (reason) => {
    controller?.abort(reason);
    reject(reason);
  });
  all
    .then(
      (results) => {
        subscription.unsubscribe();
        return results;
      },
      (error: unknown) => {
        subscription.unsubscribe();
        if (!controller?.signal.aborted) controller?.abort(abortedBySibling(error));
        throw error;
      },
    )
    .then(resolve, reject);
  return promise;
}

/** At most `concurrency` functions at once, in `concurrency` lanes (see OpsRun). */
function gatherLimited(
  ops: readonly unknown[],
  concurrency: number,
  signal: AbortSignal | undefined,
  returnExceptions: boolean,
): Promise<unknown[]> {
  let resolve!: (results: unknown[]) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<unknown[]>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const controller = sharedController();
  const results: unknown[] = new Array(ops.length);
  let remaining = ops.length;
  const run = new OpsRun(ops, controller.signal, (index, ok, value) => {
    if (run.stopped) return;
    if (ok || returnExceptions) {
      results[index] = value;
      if (--remaining === 0) {
        subscription?.unsubscribe();
        resolve(results);
      }
      return;
    }
    run.stopped = true;
    subscription?.unsubscribe();
    controller.abort(abortedBySibling(value));
    reject(value);
  });
  const subscription =
    signal &&
    onAbort(signal, (reason) => {
      run.stopped = true;
      controller.abort(reason);
      reject(reason);
    });
  const lanes = run.start(concurrency);
  // Settlement goes through the closures above; this chain only lets V8 see, from inside an operation, that
  // `promise` waits on the lanes, so an operation's error keeps the caller's async stack trace. By the time every
  // lane has finished, `promise` has already settled, so what the chain delivers is ignored.
  Promise.all(lanes).then(resolve as (value: unknown) => void, reject);
  return promise;
}
