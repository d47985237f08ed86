import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { poolPerTest, trapUnhandledRejections } from './helpers.js';

trapUnhandledRejections();
const make = poolPerTest();

// Issue 21: one long-lived signal handed to many submitted tasks (a job's signal given to every chunk, a
// server's shutdown signal). The executor's pool keeps at most one real `abort` listener on it, so a task
// settling removes its interest in O(1) instead of walking every listener, Node's MaxListenersExceededWarning
// never fires, and nothing is left on the signal once the tasks are done.

const N = 200;
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

describe('many pool tasks on one shared signal', () => {
  it('submit: 200 tasks keep one real listener, no MaxListenersExceededWarning, none left after', async () => {
    const pool = make({ minThreads: 1, maxThreads: 2 });
    const controller = new AbortController();
    let tasks: Array<Promise<number>> = [];
    const warnings = await warningsDuring(() => {
      tasks = Array.from({ length: N }, (_, i) =>
        pool.submit((x: number) => x + 1, [i], { signal: controller.signal }),
      );
    });
    expect(warnings).not.toContain('MaxListenersExceededWarning');
    expect(listeners(controller.signal)).toBe(1);
    expect(await Promise.all(tasks)).toEqual(Array.from({ length: N }, (_, i) => i + 1));
    expect(listeners(controller.signal)).toBe(0);
  });

  it('submit: aborting the shared signal rejects every pending task with its reason', async () => {
    const pool = make({ minThreads: 1, maxThreads: 1 });
    const controller = new AbortController();
    const tasks = Array.from({ length: 20 }, () =>
      pool.submit(() => new Promise(() => {}), [], { signal: controller.signal }),
    );
    const reason = new Error('shutting down');
    controller.abort(reason);
    for (const task of tasks) await expect(task).rejects.toBe(reason);
    expect(listeners(controller.signal)).toBe(0);
  });

  it('map: 50 items in flight on one internal signal emit no MaxListenersExceededWarning', async () => {
    const pool = make({ minThreads: 1, maxThreads: 2 });
    const controller = new AbortController();
    const out: number[] = [];
    const warnings = await warningsDuring(async () => {
      for await (const value of pool.map(
        (x: number) => x * 2,
        Array.from({ length: 200 }, (_, i) => i),
        {
          concurrency: 50,
          signal: controller.signal,
        },
      ))
        out.push(value);
    });
    expect(warnings).not.toContain('MaxListenersExceededWarning');
    expect(out).toEqual(Array.from({ length: 200 }, (_, i) => i * 2));
    expect(listeners(controller.signal)).toBe(0);
  });
});
