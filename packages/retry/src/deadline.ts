/**
 * The cross-package deadline convention, read side. An `AbortSignal` that will abort at a known time carries
 * that time under the registered symbol `Symbol.for('@x/deadline')`: a number of milliseconds on the
 * `performance.now()` clock of the signal's own realm (`Infinity`, or no property, for "no known deadline").
 * `@x/timeout` sets it on the signals of `timeoutScope`, `deadlineScope` and `withTimeout`; anyone can set it
 * on a signal of their own. It may be a getter, because a scope's deadline moves (`reschedule`, an enclosing
 * scope), so it is read afresh every time it matters.
 *
 * Why `performance.now()` and not `Date.now()`: a deadline is a span of time, and the wall clock jumps (NTP
 * steps, a user changing the time); the monotonic clock is also the one @x/timeout's timers run on, so a
 * retry's "too late" agrees with the moment the scope fires. A signal cannot leave its realm (it is neither
 * cloneable nor transferable), so the per-realm origin of `performance.now()` never gets in the way.
 */

/** `Symbol.for('@x/deadline')`: one key for every package, bundled copy and version. */
export const DEADLINE: unique symbol = Symbol.for('@x/deadline') as never;

/** The monotonic clock deadlines are written on, in milliseconds. */
export const now = (): number => performance.now();

/**
 * The deadline `signal` carries, on the {@link now} clock; `Infinity` when it carries none (no signal, a plain
 * `AbortController`'s, or one derived with `AbortSignal.any`, which copies no properties). Never throws: a
 * value that is not a number (or is NaN) counts as none.
 */
export function deadlineOf(signal: AbortSignal | undefined): number {
  if (signal === undefined) return Number.POSITIVE_INFINITY;
  const at = (signal as { [DEADLINE]?: unknown })[DEADLINE];
  return typeof at === 'number' && !Number.isNaN(at) ? at : Number.POSITIVE_INFINITY;
}
