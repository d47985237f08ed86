/**
 * Work that `@x/gather` accepts: a promise (or thenable) that is already running and can only be awaited, or a
 * function that it starts with an `AbortSignal` and can cancel by aborting that signal.
 *
 * @example
 * ```ts
 * const ops: Operation<Response>[] = [fetch(a), (signal) => fetch(b, { signal })];
 * ```
 * Like the awaitables Python's `asyncio.gather` accepts.
 */
export type Operation<T = unknown> = PromiseLike<T> | OperationFunction<T>;

/** An operation `@x/gather` starts itself; it should stop when `signal` aborts. */
export type OperationFunction<T = unknown> = (signal: AbortSignal) => T | PromiseLike<T>;

/** The value an operation resolves to: `Awaited` of a promise, or of a function's return value. */
export type OperationResult<O> = O extends (signal: AbortSignal) => infer R ? Awaited<R> : Awaited<O>;

/** `gather()` results: per position for tuples, `T[]` for arrays and other iterables. */
export type Results<Ops> = Ops extends readonly unknown[]
  ? { -readonly [K in keyof Ops]: OperationResult<Ops[K]> }
  : Ops extends Iterable<infer O>
    ? OperationResult<O>[]
    : never;

/** `gather(ops, { returnExceptions: true })` results: each position holds its value or the `Error` it failed with. */
export type ResultsOrErrors<Ops> = Ops extends readonly unknown[]
  ? { -readonly [K in keyof Ops]: OperationResult<Ops[K]> | Error }
  : Ops extends Iterable<infer O>
    ? (OperationResult<O> | Error)[]
    : never;

/** An operation that fulfilled, with its position in the input. */
export interface Fulfilled<T, I extends number = number> {
  readonly index: I;
  readonly status: 'fulfilled';
  readonly value: T;
}

/**
 * An operation that failed, with its position in the input. `reason` is what it threw, unchanged (an `Error`
 * unless the operation threw something else).
 */
export interface Rejected<I extends number = number> {
  readonly index: I;
  readonly status: 'rejected';
  readonly reason: Error;
}

/** The outcome of one operation, shaped like `Promise.allSettled`'s records plus `index`. */
export type Settled<T, I extends number = number> = Fulfilled<T, I> | Rejected<I>;

type IndexOf<K> = K extends `${infer N extends number}` ? N : number;

type ElementsOf<Ops> = Ops extends readonly unknown[] ? Ops : Ops extends Iterable<infer O> ? O[] : never;

type ByPosition<
  Ops extends readonly unknown[],
  Wrap extends 'fulfilled' | 'settled',
> = number extends Ops['length']
  ? Wrap extends 'fulfilled'
    ? Fulfilled<OperationResult<Ops[number]>>
    : Settled<OperationResult<Ops[number]>>
  : {
      [K in keyof Ops]: Wrap extends 'fulfilled'
        ? Fulfilled<OperationResult<Ops[K]>, IndexOf<K>>
        : Settled<OperationResult<Ops[K]>, IndexOf<K>>;
    }[number];

/**
 * A fulfilled record for some operation of `Ops`. For tuples `index` is a literal, so checking it narrows
 * `value` to that position's type.
 */
export type FulfilledOf<Ops> = ByPosition<ElementsOf<Ops>, 'fulfilled'>;

/** A settled record for some operation of `Ops`, narrowed by `index` for tuples. */
export type SettledOf<Ops> = ByPosition<ElementsOf<Ops>, 'settled'>;

/** What a keyed `gather()` takes: an object whose values are operations. */
export type KeyedOperations = { readonly [key: string]: Operation };

/** Keyed `gather()` results: the same keys, each with its operation's result type. */
export type KeyedResults<O> = { -readonly [K in keyof O]: OperationResult<O[K]> };

/** Keyed `gather(ops, { returnExceptions: true })` results: each key holds its value or the `Error` it failed with. */
export type KeyedResultsOrErrors<O> = { -readonly [K in keyof O]: OperationResult<O[K]> | Error };
