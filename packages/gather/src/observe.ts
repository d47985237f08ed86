import { isThenable } from '@x/internal';

/** A rejection handler that does nothing: the failure was already delivered, or deliberately given up on. */
export const ignore = (): void => {};

/**
 * Marks the promises among `values` as handled. Used where we give up on promises the caller handed us
 * (an already-aborted signal, a fail-fast rejection, a loop left before it started), so that none of them
 * later rejects unhandled because of us.
 */
export function observeAll(values: readonly unknown[]): void {
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (isThenable(value)) Promise.resolve(value).then(undefined, ignore);
  }
}
