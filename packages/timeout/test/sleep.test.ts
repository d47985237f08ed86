import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { queueStats } from '../src/deadline-queue.js';
import { sleep } from '../src/index.js';
import { trapUnhandledRejections } from './helpers.js';

trapUnhandledRejections();

describe('sleep', () => {
  it('resolves with undefined after ms, never earlier', async () => {
    const t0 = performance.now();
    expect(await sleep(40)).toBeUndefined();
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(40);
    expect(elapsed).toBeLessThan(400);
  });

  it('rejects with the signal reason unchanged when aborted, and drops its timer and listener', async () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    const pending = sleep(5000, { signal: controller.signal });
    setTimeout(() => controller.abort(reason), 10);
    await expect(pending).rejects.toBe(reason);
    expect(queueStats().pending).toBe(0);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('removes its listener when it completes normally', async () => {
    const controller = new AbortController();
    await sleep(5, { signal: controller.signal });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('rejects at once with an already aborted signal', async () => {
    await expect(sleep(10, { signal: AbortSignal.abort('now') })).rejects.toBe('now');
    expect(queueStats().pending).toBe(0);
  });

  it('sleep(0) resolves on the next turn of the event loop', async () => {
    const order: string[] = [];
    const done = sleep(0).then(() => order.push('sleep'));
    await Promise.resolve();
    order.push('microtask');
    await done;
    expect(order).toEqual(['microtask', 'sleep']);
  });

  it('sleep(Infinity) waits until the signal aborts and keeps no timer', async () => {
    const controller = new AbortController();
    const pending = sleep(Number.POSITIVE_INFINITY, { signal: controller.signal });
    expect(queueStats().pending).toBe(0);
    controller.abort('done');
    await expect(pending).rejects.toBe('done');
  });

  it('rejects bad input, naming the argument', () => {
    expect(() => sleep(-1)).toThrow(RangeError);
    expect(() => sleep(Number.NaN)).toThrow(/The value of "ms" is out of range/);
    expect(() => sleep('1' as never)).toThrow(
      /The "ms" argument must be of type number. Received type string/,
    );
    expect(() => sleep(1, { signal: 1 as never })).toThrow(
      'The "options.signal" property must be an instance of AbortSignal. Received type number (1)',
    );
    expect(() => sleep(1, 1 as never)).toThrow(/The "options" argument must be of type object/);
  });
});
