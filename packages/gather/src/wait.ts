import {
  type AbortSubscription,
  invalidArgType,
  onAbort,
  outOfRange,
  ownOptions,
  validateSignal,
} from '@x/internal';
import { AbortError, invalidArgValue } from './errors.js';
import { observeAll } from './observe.js';
import type { Operation, OperationResult, SettledOf } from './types.js';
import { toOperations, validateBoolean } from './validate.js';

/** When {@link wait} resolves, with asyncio's names. */
export type ReturnWhen = 'FIRST_COMPLETED' | 'FIRST_EXCEPTION' | 'ALL_COMPLETED';

/** Options of {@link wait}. */
export interface WaitOptions {
  /**
   * `'FIRST_COMPLETED'`: as soon as one operation settles. `'FIRST_EXCEPTION'`: as soon as one fails, or when all
   * have settled. `'ALL_COMPLETED'`: when all have settled.
   * @default 'ALL_COMPLETED'
   */
  readonly returnWhen?: ReturnWhen;
  /**
   * Milliseconds after which `wait` resolves with whatever has settled so far (not an error; nothing is aborted).
   * @default Infinity
   */
  readonly timeout?: number;
  /**
   * Aborting it before `wait` resolves rejects with `signal.reason`; at any time it aborts every operation that is
   * still running.
   */
  readonly signal?: AbortSignal;
  /**
   * When `options.signal` aborts before `wait` resolves, reject only once every function operation has really
   * settled (as asyncio's `TaskGroup` does). Off by default: an operation that ignores its signal would hold the
   * caller until it finishes on its own. Pending operations handed back in `pending` are never waited for.
   * @default false
   */
  readonly waitForStop?: boolean;
}

/**
 * An operation that had not settled when {@link wait} resolved. It keeps running: await `promise` for its result,
 * or call `abort()` to cancel it.
 */
export interface PendingOperation<T, I extends number = number> {
  readonly index: I;
  /** Settles like the operation. Never rejects unhandled if you ignore it. */
  readonly promise: Promise<T>;
  /** The signal the operation was given; `undefined` for a promise passed directly (it cannot be stopped). */
  readonly signal: AbortSignal | undefined;
  /** Aborts this operation's signal (default reason: an `AbortError`). No effect on promises passed directly. */
  abort(reason?: unknown): void;
}

type Ops = readonly Operation[] | Iterable<Operation>;
type IndexOf<K> = K extends `${infer N extends number}` ? N : number;
type ElementsOf<Ops> = Ops extends readonly unknown[] ? Ops : Ops extends Iterable<infer O> ? O[] : never;
type PendingByPosition<E extends readonly unknown[]> = number extends E['length']
  ? PendingOperation<OperationResult<E[number]>>
  : { [K in keyof E]: PendingOperation<OperationResult<E[K]>, IndexOf<K>> }[number];

/** A pending operation of `Ops`, narrowed by `index` for tuples. */
export type PendingOf<Ops> = PendingByPosition<ElementsOf<Ops>>;

/** What {@link wait} resolves to: `done` in completion order, `pending` in input order. */
export interface WaitResult<Ops> {
  readonly done: SettledOf<Ops>[];
  readonly pending: PendingOf<Ops>[];
}

const RETURN_WHEN: readonly string[] = ['FIRST_COMPLETED', 'FIRST_EXCEPTION', 'ALL_COMPLETED'];

/**
 * Starts every operation and resolves `{ done, pending }` once `returnWhen` is met or `timeout` ms have passed;
 * operations still pending keep running and can be awaited or aborted one by one.
 *
 * It never rejects because an operation failed (failures are `'rejected'` records in `done`). Aborting
 * `options.signal` before it resolves aborts every operation and rejects with `signal.reason`; after it resolves,
 * the signal still aborts the pending operations, and its listener is removed when the last one settles.
 *
 * @example
 * ```ts
 * const { done, pending } = await wait([(s) => primary(s), (s) => mirror(s)], { returnWhen: 'FIRST_COMPLETED' });
 * for (const op of pending) op.abort();
 * ```
 * Like Python's `asyncio.wait`.
 */
export function wait<const O extends Ops>(ops: O, options?: WaitOptions): Promise<WaitResult<O>>;
export function wait(ops: unknown, options?: WaitOptions): Promise<WaitResult<readonly unknown[]>> {
  const list = toOperations(ops);
  options = ownOptions(options, 'options');
  const returnWhen = options?.returnWhen ?? 'ALL_COMPLETED';
  if (!RETURN_WHEN.includes(returnWhen as string))
    throw invalidArgValue(
      'options.returnWhen',
      `one of ${RETURN_WHEN.map((w) => `'${w}'`).join(', ')}`,
      returnWhen,
    );
  const timeout = options?.timeout ?? Number.POSITIVE_INFINITY;
  if (typeof timeout !== 'number') throw invalidArgType('options.timeout', 'of type number', timeout);
  if (!(timeout >= 0)) throw outOfRange('options.timeout', '>= 0 (or Infinity)', timeout);
  validateSignal(options?.signal, 'options.signal');
  const signal = options?.signal;
  const waitForStop = validateBoolean(options?.waitForStop, 'options.waitForStop');
  if (signal?.aborted) {
    observeAll(list);
    return Promise.reject(signal.reason);
  }

  return new Promise((resolve, reject) => {
    const n = list.length;
    const done: unknown[] = [];
    const entries: Array<Entry & { settled: boolean }> = new Array(n);
    let settledCount = 0;
    /** Function operations not yet settled. */
    let running = 0;
    /** waitForStop: the rejection, delivered once `running` reaches 0. */
    let stopping: (() => void) | undefined;
    let resolved = false;
    let timer: ReturnType<typeof setTimeout> | undefined;

    const finish = () => {
      resolved = true;
      if (timer !== undefined) clearTimeout(timer);
      const pending = entries.filter((e) => !e.settled).map((e) => e.pending);
      resolve({ done, pending } as WaitResult<readonly unknown[]>);
    };
    let subscription: AbortSubscription | undefined;
    const cancelAll = (reason: unknown) => {
      for (const e of entries) if (e !== undefined && !e.settled) e.controller?.abort(reason);
      if (!resolved) {
        resolved = true;
        if (timer !== undefined) clearTimeout(timer);
        if (waitForStop && running > 0) stopping = () => reject(reason);
        else reject(reason);
      }
    };
    const settle = (index: number, record: unknown, failed: boolean) => {
      const entry = entries[index]!;
      entry.settled = true;
      settledCount++;
      if (entry.controller !== undefined && --running === 0 && stopping !== undefined) stopping();
      if (settledCount === n) subscription?.unsubscribe();
      if (resolved) return;
      done.push(record);
      if (
        settledCount === n ||
        returnWhen === 'FIRST_COMPLETED' ||
        (failed && returnWhen === 'FIRST_EXCEPTION')
      )
        finish();
    };

    for (let i = 0; i < n; i++) {
      const entry = start(list[i], i);
      entries[i] = Object.assign(entry, { settled: false });
      if (entry.controller !== undefined) running++;
      entry.pending.promise.then(
        (value) => settle(i, { index: i, status: 'fulfilled', value }, false),
        (reason: unknown) => settle(i, { index: i, status: 'rejected', reason }, true),
      );
    }
    if (n === 0) return finish();
    if (signal !== undefined) {
      subscription = onAbort(signal, cancelAll);
      // An operation may have aborted the caller's signal while it started (onAbort would then never fire).
      if (signal.aborted) cancelAll(signal.reason);
    }
    if (timeout !== Number.POSITIVE_INFINITY) timer = setTimeout(finish, timeout);
  });
}

interface Entry {
  controller: AbortController | undefined;
  pending: PendingOperation<unknown>;
}

const noAbort = () => {};

function start(op: unknown, index: number): Entry {
  if (typeof op !== 'function') {
    return {
      controller: undefined,
      pending: { index, promise: Promise.resolve(op), signal: undefined, abort: noAbort },
    };
  }
  const controller = new AbortController();
  let promise: Promise<unknown>;
  try {
    promise = Promise.resolve((op as (signal: AbortSignal) => unknown)(controller.signal));
  } catch (error) {
    promise = Promise.reject(error);
  }
  return {
    controller,
    pending: {
      index,
      promise,
      signal: controller.signal,
      abort: (reason?: unknown) =>
        controller.abort(reason === undefined ? new AbortError(`Operation ${index} was aborted.`) : reason),
    },
  };
}
