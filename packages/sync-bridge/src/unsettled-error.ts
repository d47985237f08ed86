/**
 * The bridged function returned a promise that can never settle: while it was pending, the bridge worker's
 * event loop ran out of everything that could settle it (no timer, socket, file operation or message left),
 * so waiting longer would block the caller forever. Typically a `new Promise()` whose `resolve` is never
 * called, or an `await` on something that was never started. The worker stays usable.
 *
 * @example
 * ```ts
 * runSync(async () => new Promise(() => {})); // throws UnsettledCallError at once, instead of hanging
 * ```
 * Like the error Node prints for a top-level `await` that can never finish ("unsettled top-level await").
 */
export class UnsettledCallError extends Error {
  override name = 'UnsettledCallError' as const;
  readonly code = 'ERR_X_UNSETTLED_CALL' as const;
  constructor(
    message = 'The bridged function returned a promise that can never settle: the bridge worker has nothing left (no timer, socket, I/O or message) that could settle it, so the call would block forever. Check for a promise whose resolve() is never called.',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
