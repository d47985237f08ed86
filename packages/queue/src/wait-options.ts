/**
 * What `put`, `get` and `join` accept.
 *
 * @example
 * ```ts
 * const job = await queue.get({ signal, timeout: 5000 });
 * ```
 */
export interface WaitOptions {
  /** Aborting it removes the waiter at once (a put inserts nothing, a get takes nothing) and rejects with `signal.reason`. */
  signal?: AbortSignal | undefined;
  /**
   * Milliseconds to wait at most (`>= 0`, `Infinity` for no limit); then the waiter is removed and rejects with
   * `TimeoutError`.
   * @default undefined (no limit)
   */
  timeout?: number | undefined;
}
