/**
 * Which deadline stands behind a signal, told two ways.
 *
 * Inside this package, a scope's signal maps to its scope, so that a scope nested under it (by passing that
 * signal as `options.signal`) can report the earliest deadline. Abort propagation does not depend on this: it
 * is plain signal listening, so any AbortSignal (e.g. `AbortSignal.timeout()`) nests too.
 *
 * To every other package (no dependency on this one needed), the cross-package convention: a signal that will
 * abort at a known time carries that time under `Symbol.for('@x/deadline')`, in milliseconds on the
 * `performance.now()` clock (monotonic, the clock our timers run on, immune to wall-clock jumps; a signal
 * never leaves its realm, so the per-realm origin does not matter). A scope's is a getter, because its
 * deadline moves (`reschedule`, an enclosing scope); `withTimeout`'s is a plain number. `@x/retry` reads it to
 * refuse a delay that would end past the deadline. `AbortSignal.any()` copies no properties, so a combined
 * signal carries none.
 */

/** `Symbol.for('@x/deadline')`, the cross-package key (see above). */
export const DEADLINE: unique symbol = Symbol.for('@x/deadline') as never;

export interface DeadlineSource {
  /** The effective deadline on the monotonic clock (`Infinity` for none). */
  _effectiveAt(): number;
  /** The same deadline in epoch milliseconds, as the user gave it or as it was computed when set. */
  _effectiveEpoch(): number;
}

const sources = new WeakMap<AbortSignal, DeadlineSource>();

/**
 * Ties a scope's signal to its scope, and publishes the scope's (moving) deadline on it: the earlier of the
 * scope's effective deadline and the one its enclosing signal publishes (a `withTimeout` signal, or any
 * signal following the convention, which `_effectiveAt` does not know of).
 */
export function registerDeadline(
  signal: AbortSignal,
  source: DeadlineSource,
  parent: AbortSignal | undefined,
): void {
  sources.set(signal, source);
  const get =
    parent === undefined
      ? () => source._effectiveAt()
      : () => {
          const outer = (parent as { [DEADLINE]?: unknown })[DEADLINE];
          const own = source._effectiveAt();
          return typeof outer === 'number' && outer < own ? outer : own;
        };
  Object.defineProperty(signal, DEADLINE, { get, configurable: true });
}

/** The scope behind `signal`, or `undefined` when it is not one of ours. */
export function sourceOf(signal: AbortSignal | undefined): DeadlineSource | undefined {
  return signal === undefined ? undefined : sources.get(signal);
}

/**
 * Publishes on the signal `withTimeout` hands its operation the deadline it will abort at: `at`, or the
 * caller's signal's own deadline when that is earlier (read once, when the operation starts). This is the
 * convention's whole cost to `withTimeout`, 1-2 µs per cancellable call on Node 20: no two AbortSignals share
 * a V8 hidden class there, so the added property builds a new one per signal.
 */
export function publishDeadline(signal: AbortSignal, at: number, parent: AbortSignal | undefined): void {
  const outer = parent === undefined ? undefined : (parent as { [DEADLINE]?: unknown })[DEADLINE];
  if (typeof outer === 'number' && outer < at) at = outer;
  if (at !== Number.POSITIVE_INFINITY) (signal as { [DEADLINE]?: number })[DEADLINE] = at;
}
