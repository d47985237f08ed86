import { type AbortSubscription, onAbort, outOfRange, ownOptions, validateSignal } from '@x/internal';
import { abortedBySibling, abortedByWinner } from './errors.js';
import { observeAll } from './observe.js';
import type { Operation, OperationResult } from './types.js';
import { isThenable, toOperations, validateBoolean } from './validate.js';

/** Options of {@link race} and {@link any}. */
export interface RaceOptions {
  /** Aborting it aborts every operation still running and rejects with `signal.reason`, unchanged. */
  readonly signal?: AbortSignal;
  /**
   * Settle only once every other function operation, aborted because the outcome is known, has really settled
   * (as asyncio's `TaskGroup` and `wait_for` do). The outcome is the same. Off by default: a loser that ignores its
   * signal would hold the caller until it finishes on its own.
   * @default false
   */
  readonly waitForStop?: boolean;
}

type Ops = readonly Operation[] | Iterable<Operation>;
type ElementsOf<Ops> = Ops extends readonly unknown[] ? Ops : Ops extends Iterable<infer O> ? O[] : never;

/** What `race`/`any` resolve to: the result type of any of the operations. */
export type FirstResult<Ops> = OperationResult<ElementsOf<Ops>[number]>;

/**
 * Settles like the first operation to settle, fulfilled or rejected, and at that moment aborts the signal of every
 * other operation (an `AbortError`), so the losers stop instead of running on for nothing. The winner's own signal
 * is never aborted, so a response it returned can still be read. Operations after one that settles synchronously
 * are not started.
 *
 * Unlike `Promise.race`, which never settles for an empty list, `race([])` throws a `RangeError`
 * (`ERR_OUT_OF_RANGE`) at once: it could never settle. Invalid arguments throw synchronously, before anything
 * starts. Aborting `options.signal` aborts everything and rejects with its reason.
 *
 * @example
 * ```ts
 * const response = await race([(signal) => fetch(primary, { signal }), (signal) => fetch(replica, { signal })]);
 * ```
 * Like `Promise.race`, plus cancellation of the losers; asyncio's
 * `asyncio.wait(tasks, return_when=FIRST_COMPLETED)` followed by cancelling the pending tasks.
 */
export function race<const O extends Ops>(ops: O, options?: RaceOptions): Promise<FirstResult<O>>;
export function race(ops: unknown, options?: RaceOptions): Promise<unknown> {
  return first(ops, options, false);
}

/**
 * Fulfils with the first operation to fulfil, and at that moment aborts the signal of every other operation (an
 * `AbortError`); failures before that are only collected. When every operation has failed, rejects with an
 * `AggregateError` whose `errors` are the failures in input order. The winner's own signal is never aborted.
 *
 * An empty list throws a `RangeError` (`ERR_OUT_OF_RANGE`) at once, as p-any does and as `asyncio.wait([])` raises
 * `ValueError`, where `Promise.any([])` rejects with an empty `AggregateError`: no operation can ever fulfil, which
 * is a bug in the caller, not a failure of the operations. Invalid arguments throw synchronously, before anything
 * starts. Aborting `options.signal` aborts everything and rejects with its reason.
 *
 * @example
 * ```ts
 * const fastest = await any(mirrors.map((url) => (signal: AbortSignal) => fetch(url, { signal })));
 * ```
 * Like `Promise.any` (and p-any), plus cancellation of the others.
 */
export function any<const O extends Ops>(ops: O, options?: RaceOptions): Promise<FirstResult<O>>;
export function any(ops: unknown, options?: RaceOptions): Promise<unknown> {
  return first(ops, options, true);
}

function first(ops: unknown, options: RaceOptions | undefined, isAny: boolean): Promise<unknown> {
  const list = toOperations(ops);
  options = ownOptions(options, 'options');
  let signal: AbortSignal | undefined;
  let waitForStop = false;
  if (options !== undefined) {
    signal = options.signal;
    validateSignal(signal, 'options.signal');
    waitForStop = validateBoolean(options.waitForStop, 'options.waitForStop');
  }
  if (list.length === 0)
    throw outOfRange(
      'ops.length',
      isAny
        ? '>= 1 (any() of no operations could never fulfil)'
        : '>= 1 (a race of no operations would never settle)',
      0,
    );
  if (signal?.aborted) {
    observeAll(list);
    return Promise.reject(signal.reason);
  }
  return new Promise((resolve, reject) => {
    new First(list, signal, waitForStop, isAny, resolve, reject).start();
  });
}

/** One `race`/`any` call: each function operation gets its own controller, so the winner's is never aborted. */
class First {
  readonly controllers: Array<AbortController | undefined>;
  /** Set once the outcome is known. */
  decided = false;
  /** Function operations started and not yet settled (for waitForStop). */
  running = 0;
  /** Operations started and not yet settled. */
  remaining = 0;
  errors: unknown[] | undefined;
  subscription: AbortSubscription | undefined;
  /** The outcome, delivered once `running` reaches 0 when waiting for the losers to stop. */
  deferred: (() => void) | undefined;

  constructor(
    readonly ops: readonly unknown[],
    readonly signal: AbortSignal | undefined,
    readonly waitForStop: boolean,
    readonly isAny: boolean,
    readonly resolve: (value: unknown) => void,
    readonly reject: (reason: unknown) => void,
  ) {
    this.controllers = new Array(ops.length);
    if (isAny) this.errors = new Array(ops.length);
  }

  start(): void {
    const ops = this.ops;
    const n = ops.length;
    this.remaining = n;
    let i = 0;
    for (; i < n && !this.decided; i++) {
      const op = ops[i];
      if (typeof op !== 'function') {
        this.#watch(i, op as PromiseLike<unknown>, false);
        continue;
      }
      const controller = new AbortController();
      this.controllers[i] = controller;
      let value: unknown;
      try {
        value = op(controller.signal);
      } catch (error) {
        this.settle(i, false, error, false);
        continue;
      }
      if (isThenable(value)) {
        this.running++;
        this.#watch(i, value, true);
      } else this.settle(i, true, value, false);
    }
    if (this.decided) {
      // Promises passed directly after a synchronous winner are given up on: never leave them to reject unhandled.
      if (i < n) observeAll(ops.slice(i));
      return;
    }
    const signal = this.signal;
    if (signal !== undefined) {
      this.subscription = onAbort(signal, this);
      // An operation may have aborted the caller's signal while it started (onAbort would then never fire).
      if (signal.aborted) this.handleAbort(signal.reason);
    }
  }

  #watch(index: number, pending: PromiseLike<unknown>, counted: boolean): void {
    Promise.resolve(pending).then(
      (value) => this.settle(index, true, value, counted),
      (error: unknown) => this.settle(index, false, error, counted),
    );
  }

  settle(index: number, ok: boolean, value: unknown, counted: boolean): void {
    this.controllers[index] = undefined;
    this.remaining--;
    if (counted && --this.running === 0 && this.deferred !== undefined) {
      const deliver = this.deferred;
      this.deferred = undefined;
      deliver();
    }
    if (this.decided) return;
    if (this.isAny && !ok) {
      this.errors![index] = value;
      if (this.remaining === 0) {
        const errors = this.errors!;
        this.decide(
          index,
          false,
          new AggregateError(errors, `All ${errors.length} operations of any() failed; see \`errors\`.`),
        );
      }
      return;
    }
    this.decide(index, ok, value);
  }

  decide(index: number, ok: boolean, value: unknown): void {
    this.decided = true;
    this.subscription?.unsubscribe();
    // The reason is an Error (a stack trace to capture): made only when there is someone left to abort.
    this.#abortOthers(() =>
      ok || this.isAny ? abortedByWinner(this.isAny ? 'any' : 'race', index) : abortedBySibling(value),
    );
    const deliver = ok ? () => this.resolve(value) : () => this.reject(value);
    if (this.waitForStop && this.running > 0) this.deferred = deliver;
    else deliver();
  }

  /** The caller's signal aborted. */
  handleAbort(reason: unknown): void {
    if (this.decided) return;
    this.decided = true;
    this.#abortOthers(() => reason);
    const deliver = () => this.reject(reason);
    if (this.waitForStop && this.running > 0) this.deferred = deliver;
    else deliver();
  }

  #abortOthers(makeReason: () => unknown): void {
    const controllers = this.controllers;
    let reason: unknown;
    let made = false;
    for (let i = 0; i < controllers.length; i++) {
      const controller = controllers[i];
      if (controller !== undefined) {
        controllers[i] = undefined;
        if (!made) {
          reason = makeReason();
          made = true;
        }
        controller.abort(reason);
      }
    }
  }
}
