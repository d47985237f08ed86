import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';

export interface EventLoopReport {
  /** The longest the event loop was late, in ms (from `perf_hooks.monitorEventLoopDelay`). */
  maxDelayMs: number;
  /** How many times a 10 ms heartbeat timer managed to run meanwhile. */
  heartbeats: number;
}

/** Measures how responsive the event loop stays while `work` runs. */
export async function watchEventLoop(work: () => Promise<unknown>): Promise<EventLoopReport> {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  let heartbeats = 0;
  const heartbeat = setInterval(() => heartbeats++, 10);
  histogram.enable();
  try {
    // The histogram records a delay only from its second tick on: let it tick before the work starts.
    await delay(20);
    await work();
    // One more turn of the loop, so a stall at the very end is recorded too.
    await delay(15);
  } finally {
    histogram.disable();
    clearInterval(heartbeat);
  }
  return { maxDelayMs: histogram.max / 1e6, heartbeats };
}

/**
 * A synchronous library call that waits on I/O, like `requests.get` in the article: it blocks whichever
 * thread calls it for `ms`. Self-contained, so it can run in a worker thread.
 */
export const blockingRequest = (url: string, ms: number): string => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  return `200 OK from ${url}`;
};
