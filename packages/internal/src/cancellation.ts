/**
 * Whether `error`, thrown by work whose signal was aborted with `reason`, is that cancellation rather than a
 * real failure that happened while stopping. Exactly two forms count:
 *
 * - the reason itself (what `fetch`, `signal.throwIfAborted()` and our own primitives reject with);
 * - an error named `AbortError` whose `cause` is the reason (Node's timers, `events.once`, streams, `fs`), or
 *   that has no `cause` at all (libraries that predate `cause` and cannot say which abort they saw).
 *
 * Anything else is a failure, even if it carries the reason as its `cause`: a `TaskGroupError` of a nested
 * group cancelled with this reason, or `new Error('cleanup failed', { cause: reason })`, reports something
 * that went wrong while stopping, and asyncio reports those too (anything but `CancelledError` is a failure).
 */
export function isCancellation(error: unknown, reason: unknown): boolean {
  if (error === reason) return true;
  if (error === null || typeof error !== 'object' || (error as { name?: unknown }).name !== 'AbortError')
    return false;
  return !('cause' in error) || (error as { cause?: unknown }).cause === reason;
}
