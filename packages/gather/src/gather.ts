import { invalidArgType } from '@x/internal';
import { runOperations } from './gather-run.js';
import type {
  KeyedOperations,
  KeyedResults,
  KeyedResultsOrErrors,
  Operation,
  Results,
  ResultsOrErrors,
} from './types.js';
import { isKeyed, isThenable, readCommonOptions, toKeyedOperations, toOperations } from './validate.js';

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
  // Arrays first: the common case pays for no other check.
  if (Array.isArray(ops)) return runOperations(toOperations(ops), readCommonOptions(options));
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
    return runOperations(list, readCommonOptions(options)).then((results) => {
      const out = new Map<unknown, unknown>();
      for (let i = 0; i < keys.length; i++) out.set(keys[i], results[i]);
      return out;
    });
  }
  if (isKeyed(ops)) {
    const { keys, list } = toKeyedOperations(ops);
    return runOperations(list, readCommonOptions(options)).then((results) => {
      const out: Record<string, unknown> = {};
      for (let i = 0; i < keys.length; i++) out[keys[i]!] = results[i];
      return out;
    });
  }
  return runOperations(toOperations(ops, 'ops', true), readCommonOptions(options));
}
