import { TimeoutError, withTimeout } from '@x/timeout';
import { UpstreamTimeoutError } from './errors.js';

/**
 * Runs the upstream work of one request under a deadline: `withTimeout` aborts the signal handed to `op`
 * when `ms` pass (so every fetch below is cancelled, nothing keeps running) and the request fails with a
 * 504 `UpstreamTimeoutError`. `signal` is the client's: a client that leaves cancels the work as well.
 */
export async function withUpstreamDeadline<T>(
  ms: number,
  signal: AbortSignal,
  op: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  try {
    return await withTimeout(ms, op, { signal });
  } catch (error) {
    if (error instanceof TimeoutError) {
      throw new UpstreamTimeoutError(
        `The upstream did not answer within ${ms} ms; the request to it was cancelled.`,
        {
          cause: error,
        },
      );
    }
    throw error;
  }
}
