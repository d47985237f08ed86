import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, expect } from 'vitest';

/** Resolves with `value` after `ms`, or rejects with `signal.reason` when aborted; never leaves its listener. */
export function sleep<T>(ms: number, value: T, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(value);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Records what each operation did, to assert what must and must not have happened. */
export class Probe {
  readonly started: number[] = [];
  readonly finished: number[] = [];
  readonly aborted = new Map<number, unknown>();
  inFlight = 0;
  maxInFlight = 0;

  /** An operation that takes `ms`, then resolves `value` (or rejects with `fail`). */
  op<T>(index: number, ms: number, value: T, fail?: Error) {
    return async (signal: AbortSignal): Promise<T> => {
      this.started.push(index);
      this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
      try {
        await sleep(ms, undefined, signal);
      } catch (reason) {
        this.aborted.set(index, reason);
        throw reason;
      } finally {
        this.inFlight--;
      }
      this.finished.push(index);
      if (fail) throw fail;
      return value;
    };
  }
}

export const abortListeners = (signal: AbortSignal) => getEventListeners(signal, 'abort').length;

export const ticks = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

/** Fails the test if any promise rejected unhandled while it ran (checked after a short grace period). */
export function trapUnhandledRejections(): void {
  const seen: unknown[] = [];
  const trap = (reason: unknown) => seen.push(reason);
  beforeEach(() => {
    seen.length = 0;
    process.on('unhandledRejection', trap);
  });
  afterEach(async () => {
    await ticks(20);
    process.off('unhandledRejection', trap);
    expect(seen).toEqual([]);
  });
}
