/**
 * Whether `error`, thrown by work whose signal was aborted with `reason`, is that cancellation (rather than a
 * real failure that happened while stopping). `fetch` rejects with the reason itself, Node's timers with an
 * `AbortError` whose `cause` is the reason, other libraries with some `AbortError`: all count.
 */
export function isCancellation(error: unknown, reason: unknown): boolean {
  if (error === reason) return true;
  if (error === null || typeof error !== 'object') return false;
  return (
    (error as { name?: unknown }).name === 'AbortError' || (error as { cause?: unknown }).cause === reason
  );
}
