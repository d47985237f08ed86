/**
 * Work a primitive can wait for: a promise that is already running (it can be awaited, not stopped), or a
 * function the primitive starts with an `AbortSignal` it aborts when it gives up, so the work really stops.
 * Prefer functions: only they can be cancelled.
 */
export type Operation<T> = PromiseLike<T> | ((signal: AbortSignal) => T | PromiseLike<T>);
