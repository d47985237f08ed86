import { brandErrorClass } from '@x/internal';

/**
 * The bridged function returned a promise that can never settle: while it was pending, the bridge worker's
 * event loop ran out of everything that keeps an event loop alive (ref'd timers, sockets, file operations,
 * child processes, message ports), so waiting longer would block the caller forever. This is the rule by
 * which Node itself exits with "unsettled top-level await": unref'd timers, `AbortSignal.timeout()` and
 * `Atomics.waitAsync` do not count. Typically a `new Promise()` whose `resolve` is never called. The worker
 * stays usable.
 *
 * @example
 * ```ts
 * runSync(async () => new Promise(() => {})); // throws UnsettledCallError at once, instead of hanging
 * ```
 * Like the error Node prints for a top-level `await` that can never finish ("unsettled top-level await").
 */
export class UnsettledCallError extends Error {
  static {
    brandErrorClass(this, 'ERR_X_UNSETTLED_CALL');
  }

  override name = 'UnsettledCallError' as const;
  readonly code = 'ERR_X_UNSETTLED_CALL' as const;
  constructor(
    message = 'The bridged function returned a promise that can never settle: the bridge worker has nothing left that keeps an event loop alive (no ref\'d timer, socket, I/O, child process or message port), so the call would block forever (Node itself would exit here with "unsettled top-level await"). Check for a promise whose resolve() is never called, or an unref\'d timer it waits on.',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
