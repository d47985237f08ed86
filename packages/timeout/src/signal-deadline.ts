/**
 * Which deadline stands behind a scope's signal, so that a scope nested under it (by passing that signal as
 * `options.signal`) can report the earliest deadline. Abort propagation does not depend on this: it is plain
 * signal listening, so any AbortSignal (e.g. `AbortSignal.timeout()`, or the signal `withTimeout` hands its
 * operation) nests too. `withTimeout` does not register its signals: a WeakMap entry per operation would
 * cost more than the rest of the call.
 */

export interface DeadlineSource {
  /** The effective deadline on the monotonic clock (`Infinity` for none). */
  _effectiveAt(): number;
  /** The same deadline in epoch milliseconds, as the user gave it or as it was computed when set. */
  _effectiveEpoch(): number;
}

const sources = new WeakMap<AbortSignal, DeadlineSource>();

export function registerDeadline(signal: AbortSignal, source: DeadlineSource): void {
  sources.set(signal, source);
}

/** The scope behind `signal`, or `undefined` when it is not one of ours. */
export function sourceOf(signal: AbortSignal | undefined): DeadlineSource | undefined {
  return signal === undefined ? undefined : sources.get(signal);
}
