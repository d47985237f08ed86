import { invalidArgType, onAbort } from '@x/internal';
import { abortedBySibling } from './errors.js';
import { Running } from './guard.js';
import { observeAll } from './observe.js';
import { OpsRun } from './run-ops.js';
import { sharedController } from './shared-controller.js';
import type {
  KeyedOperations,
  KeyedResults,
  KeyedResultsOrErrors,
  Operation,
  Results,
  ResultsOrErrors,
} from './types.js';
import {
  type CommonOptions,
  isKeyed,
  isThenable,
  readCommonOptions,
  toKeyedOperations,
  toOperations,
} from './validate.js';

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
  /**
   * Milliseconds each operation may take (> 0, or `Infinity`). An operation still pending then has its signal
   * aborted with a `TimeoutError` and fails with it: `gather` rejects with it (aborting the others), or with
   * `returnExceptions: true` it takes that operation's place. A promise passed directly cannot be stopped, but
   * fails the same way.
   * @default Infinity
   *
   * @example
   * ```ts
   * const [a, b] = await gather([(s) => fetch(urlA, { signal: s }), (s) => fetch(urlB, { signal: s })], { timeout: 2000 });
   * ```
   */
  readonly timeout?: number;
  /**
   * When `gather` gives up on operations (a failure, a deadline, `signal`), settle only once every function
   * operation it started has really settled, like asyncio's `TaskGroup` and `wait_for`, so nothing they hold is
   * still in use when you see the outcome. The outcome itself is the same. Off by default: an operation that
   * ignores its signal would hold the caller until it finishes on its own.
   * @default false
   */
  readonly waitForStop?: boolean;
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
/**
 * The keyed form: `gather({ user: op, orders: op })` resolves to `{ user, orders }`, typed per key (p-props,
 * Bluebird's `props`, TC39's `Promise.allKeyed`), with every option and the same fail-fast cancellation. A `Map`
 * of operations resolves to a `Map` with the same keys.
 *
 * @example
 * ```ts
 * const { user, orders } = await gather({
 *   user: (signal) => fetchUser(1, { signal }),
 *   orders: (signal) => fetchOrders(1, { signal }),
 * });
 * ```
 */
export function gather<K, V>(
  ops: ReadonlyMap<K, Operation<V>>,
  options: GatherOptions & { readonly returnExceptions: true },
): Promise<Map<K, V | Error>>;
export function gather<K, V>(
  ops: ReadonlyMap<K, Operation<V>>,
  options?: GatherOptions & { readonly returnExceptions?: false },
): Promise<Map<K, V>>;
export function gather<const O extends KeyedOperations>(
  ops: O,
  options: GatherOptions & { readonly returnExceptions: true },
): Promise<KeyedResultsOrErrors<O>>;
export function gather<const O extends KeyedOperations>(
  ops: O,
  options?: GatherOptions & { readonly returnExceptions?: false },
): Promise<KeyedResults<O>>;
export function gather<const O extends KeyedOperations>(
  ops: O,
  options?: GatherOptions,
): Promise<KeyedResults<O> | KeyedResultsOrErrors<O>>;
export function gather(ops: unknown, options?: GatherOptions): Promise<unknown> {
  if (ops instanceof Map) {
    const keys = [...ops.keys()];
    const list = [...ops.values()];
    for (let i = 0; i < list.length; i++)
      if (typeof list[i] !== 'function' && !isThenable(list[i]))
        throw invalidArgType(
          `ops.get(${typeof keys[i] === 'string' ? `'${keys[i]}'` : String(keys[i])})`,
          'a promise, a thenable or a function (signal) => value',
          list[i],
        );
    return run(list, readCommonOptions(options)).then((results) => {
      const out = new Map<unknown, unknown>();
      for (let i = 0; i < keys.length; i++) out.set(keys[i], results[i]);
      return out;
    });
  }
  if (isKeyed(ops)) {
    const { keys, list } = toKeyedOperations(ops);
    return run(list, readCommonOptions(options)).then((results) => {
      const out: Record<string, unknown> = {};
      for (let i = 0; i < keys.length; i++) out[keys[i]!] = results[i];
      return out;
    });
  }
  return run(toOperations(ops, 'ops', true), readCommonOptions(options));
}

function run(list: readonly unknown[], options: CommonOptions): Promise<unknown[]> {
  const { concurrency, signal, returnExceptions, timeout, waitForStop } = options;
  if (signal?.aborted) {
    observeAll(list);
    return Promise.reject(signal.reason);
  }
  const guarded = waitForStop || timeout !== Number.POSITIVE_INFINITY;
  if (guarded || concurrency < list.length) {
    let functions = 0;
    for (let i = 0; i < list.length; i++) if (typeof list[i] === 'function') functions++;
    if (guarded || functions > concurrency) return gatherLimited(list, options);
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
  const onCallerAbort = (reason: unknown) => {
    controller?.abort(reason);
    reject(reason);
  };
  const subscription = onAbort(signal, onCallerAbort);
  // An operation may have aborted the caller's signal while it started (onAbort would then never fire).
  if (signal.aborted) onCallerAbort(signal.reason);
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

/**
 * At most `concurrency` functions at once, in `concurrency` lanes (see OpsRun); also the path of a per-operation
 * `timeout` and of `waitForStop`, whatever the limit.
 */
function gatherLimited(ops: readonly unknown[], options: CommonOptions): Promise<unknown[]> {
  const { concurrency, signal, returnExceptions, timeout, waitForStop } = options;
  let resolve!: (results: unknown[]) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<unknown[]>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const controller = sharedController();
  const results: unknown[] = new Array(ops.length);
  let remaining = ops.length;
  const running = waitForStop ? new Running() : undefined;
  const fail = (reason: unknown) => {
    if (running === undefined) reject(reason);
    else running.whenIdle(() => reject(reason));
  };
  const run = new OpsRun(ops, controller.signal, (index, ok, value) => {
    if (run.stopped) return;
    if (ok || returnExceptions) {
      results[index] = value;
      if (--remaining === 0) {
        subscription?.unsubscribe();
        // With timeouts under returnExceptions, an operation that timed out may still be stopping.
        if (running === undefined) resolve(results);
        else running.whenIdle(() => resolve(results));
      }
      return;
    }
    run.stopped = true;
    subscription?.unsubscribe();
    controller.abort(abortedBySibling(value));
    fail(value);
  });
  run.timeout = timeout;
  run.running = running;
  const subscription =
    signal &&
    onAbort(signal, (reason) => {
      run.stopped = true;
      controller.abort(reason);
      fail(reason);
    });
  const lanes = run.start(concurrency);
  // Settlement goes through the closures above; this chain only lets V8 see, from inside an operation, that
  // `promise` waits on the lanes, so an operation's error keeps the caller's async stack trace. By the time every
  // lane has finished (and, with waitForStop, every operation has stopped), `promise` has already settled, so what
  // the chain delivers is ignored. (A lane whose operation timed out moves on while it stops: hence `idle`.)
  const lanesDone = Promise.all(lanes);
  (running === undefined ? lanesDone : lanesDone.then(running.idle)).then(
    resolve as (value: unknown) => void,
    reject,
  );
  return promise;
}
