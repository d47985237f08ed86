// Runs one chunk of a `ProcessPool.map(..., { chunkSize })` inside a child: one message carries many items.
import type { RemoteRef } from '@x/executor';
import { invokeRemote } from '@x/executor/worker';

/** Applies the function named by `ref` to each item in order; results in the same order. */
export async function runChunk(ref: RemoteRef, items: unknown[]): Promise<unknown[]> {
  const results = new Array<unknown>(items.length);
  for (let i = 0; i < items.length; i++) {
    const value = invokeRemote(ref, [items[i]]);
    results[i] =
      value !== null &&
      typeof value === 'object' &&
      typeof (value as PromiseLike<unknown>).then === 'function'
        ? await value
        : value;
  }
  return results;
}
