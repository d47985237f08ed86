import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { queueStats } from '../src/deadline-queue.js';
import { sleep, timeoutScope, withTimeout } from '../src/index.js';
import { trapUnhandledRejections } from './helpers.js';

trapUnhandledRejections();

// Issue 21: one long-lived signal handed to many operations. Each primitive keeps at most one real `abort`
// listener on it (so removing one operation's interest is O(1), not a walk of every listener, and Node's
// MaxListenersExceededWarning never fires), calls the operations in the order they subscribed, and leaves
// no listener once they are done.

const OPS = 200;
const listeners = (signal: AbortSignal) => getEventListeners(signal, 'abort').length;

/** Names of the warnings Node emitted while `fn` ran (Node emits them on a later tick). */
async function warningsDuring(fn: () => unknown): Promise<string[]> {
  const seen: string[] = [];
  const onWarning = (warning: Error) => seen.push(warning.name);
  process.on('warning', onWarning);
  try {
    await fn();
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', onWarning);
  }
  return seen;
}

describe('many operations on one shared signal', () => {
  it('withTimeout: one real listener for 200 operations, no MaxListenersExceededWarning, none left after', async () => {
    const controller = new AbortController();
    const resolvers: Array<() => void> = [];
    let pending: Array<Promise<unknown>> = [];
    const warnings = await warningsDuring(() => {
      for (let i = 0; i < OPS; i++) {
        pending.push(
          withTimeout(60_000, () => new Promise<void>((resolve) => resolvers.push(resolve)), {
            signal: controller.signal,
          }),
        );
      }
    });
    expect(warnings).not.toContain('MaxListenersExceededWarning');
    expect(listeners(controller.signal)).toBe(1);
    // Settled in a scattered order (odd ones first), as independent operations would.
    for (let i = 1; i < OPS; i += 2) resolvers[i]!();
    await Promise.all(pending.filter((_, i) => i % 2 === 1));
    expect(listeners(controller.signal)).toBe(1);
    for (let i = 0; i < OPS; i += 2) resolvers[i]!();
    await Promise.all(pending);
    expect(listeners(controller.signal)).toBe(0);
    pending = [];
  });

  it('withTimeout: aborting the shared signal rejects every pending operation with its reason and aborts each operation, in start order', async () => {
    const controller = new AbortController();
    const aborted: number[] = [];
    const pending = Array.from({ length: 20 }, (_, i) =>
      withTimeout(
        60_000,
        (signal) =>
          new Promise((_, reject) =>
            signal.addEventListener('abort', () => {
              aborted.push(i);
              reject(signal.reason);
            }),
          ),
        { signal: controller.signal },
      ),
    );
    const reason = new Error('shutting down');
    controller.abort(reason);
    for (const p of pending) await expect(p).rejects.toBe(reason);
    expect(aborted).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(queueStats().pending).toBe(0);
  });

  it('sleep: one real listener for 200 sleeps, no warning; an abort rejects them all; none left after', async () => {
    const controller = new AbortController();
    let sleeps: Array<Promise<void>> = [];
    const warnings = await warningsDuring(() => {
      sleeps = Array.from({ length: OPS }, () => sleep(60_000, { signal: controller.signal }));
    });
    expect(warnings).not.toContain('MaxListenersExceededWarning');
    expect(listeners(controller.signal)).toBe(1);
    controller.abort('stop');
    for (const s of sleeps) await expect(s).rejects.toBe('stop');
    expect(listeners(controller.signal)).toBe(0);
    expect(queueStats().pending).toBe(0);

    const other = new AbortController();
    await Promise.all(Array.from({ length: OPS }, () => sleep(1, { signal: other.signal })));
    expect(listeners(other.signal)).toBe(0);
  });

  it('scopes: 200 scopes nested under one signal and 200 runs in one scope keep one listener each, no warning', async () => {
    const controller = new AbortController();
    const scopes: Array<ReturnType<typeof timeoutScope>> = [];
    const outer = timeoutScope(60_000);
    const resolvers: Array<() => void> = [];
    let runs: Array<Promise<unknown>> = [];
    const warnings = await warningsDuring(() => {
      for (let i = 0; i < OPS; i++) scopes.push(timeoutScope(60_000, { signal: controller.signal }));
      runs = Array.from({ length: OPS }, () =>
        outer.run(() => new Promise<void>((resolve) => resolvers.push(resolve))),
      );
    });
    expect(warnings).not.toContain('MaxListenersExceededWarning');
    expect(listeners(controller.signal)).toBe(1);
    expect(listeners(outer.signal)).toBe(1);
    for (const resolve of resolvers) resolve();
    await Promise.all(runs);
    expect(listeners(outer.signal)).toBe(0);
    outer.close();
    controller.abort('outer gone');
    expect(scopes.every((s) => s.signal.aborted && s.signal.reason === 'outer gone')).toBe(true);
    expect(listeners(controller.signal)).toBe(0);
    for (const s of scopes) s.close();
  });
});
