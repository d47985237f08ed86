/**
 * What every wait of this package accepts (`acquire`, `wait`, `waitFor`, a limiter call, `run`).
 *
 * @example
 * ```ts
 * using permit = await sem.acquire({ signal: request.signal, timeout: 2000 });
 * ```
 */
export interface WaitOptions {
  /** Aborting it removes the waiter at once and rejects with `signal.reason`, unchanged. */
  signal?: AbortSignal | undefined;
  /**
   * Milliseconds to wait at most (`>= 0`, `Infinity` for no limit); then the waiter is removed and rejects
   * with `TimeoutError`. It bounds the wait only, not the work `run()` or a limiter starts.
   * @default undefined (no limit)
   */
  timeout?: number | undefined;
}
