// Test helpers shared by @x/locks and @x/queue (waiters, abort listeners, unhandled rejections).
import { getEventListeners } from 'node:events';
import { afterAll, beforeAll, expect } from 'vitest';

/** Fails the file if any promise rejected without a handler while its tests ran. */
export function trapUnhandledRejections(): void {
  const seen: unknown[] = [];
  const onUnhandled = (reason: unknown) => seen.push(reason);
  beforeAll(() => {
    process.on('unhandledRejection', onUnhandled);
  });
  afterAll(async () => {
    await new Promise((resolve) => setTimeout(resolve, 20));
    process.off('unhandledRejection', onUnhandled);
    expect(seen).toEqual([]);
  });
}

/** Lets every pending promise reaction run (one macrotask turn). */
export const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Resolves after `ms` with a plain Node timer. */
export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Tracks a promise's state without awaiting it; its rejection counts as handled. */
export function track<T>(promise: Promise<T>) {
  const state: { status: 'pending' | 'fulfilled' | 'rejected'; value?: T; reason?: unknown } = {
    status: 'pending',
  };
  promise.then(
    (value) => {
      state.status = 'fulfilled';
      state.value = value;
    },
    (reason) => {
      state.status = 'rejected';
      state.reason = reason;
    },
  );
  return state;
}

/** The error `fn` throws synchronously (fails the test if it throws nothing). */
export function thrown(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a throw');
}

/** How many `abort` listeners `signal` holds. */
export const abortListenerCount = (signal: AbortSignal): number => getEventListeners(signal, 'abort').length;
