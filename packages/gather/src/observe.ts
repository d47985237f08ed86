/** A rejection handler that does nothing: the failure was already delivered, or deliberately given up on. */
export const ignore = (): void => {};

/**
 * Marks the promises among `values` as handled. Used where we give up on promises the caller handed us
 * (an already-aborted signal, a fail-fast rejection, a loop left before it started), so that none of them
 * later rejects unhandled because of us. Only native promises: other thenables cannot reject unhandled,
 * and calling `then` on a lazy one (a query builder) would start the work we are giving up on.
 */
export function observeAll(values: readonly unknown[]): void {
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value instanceof Promise) value.then(undefined, ignore);
  }
}
