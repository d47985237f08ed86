import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { validateWaitOptions, WaitList } from '../src/index.ts';

const timeoutError = (ms: number) =>
  Object.assign(new Error(`timed out after ${ms}`), { code: 'ERR_X_TIMEOUT' });

describe('WaitList', () => {
  it('serves waiters first in, first out and removes any waiter in O(1)', async () => {
    const list = new WaitList<string, number>(timeoutError);
    const a = list.add(1);
    const b = list.add(2);
    const c = list.add(3);
    list.remove(list.peek()!.next!); // b leaves from the middle
    expect(list.size).toBe(2);
    list.shift()!.resolve('first');
    list.shift()!.resolve('second');
    expect(list.size).toBe(0);
    expect(await a).toBe('first');
    expect(await c).toBe('second');
    void b;
  });

  it('an abort or a timeout removes the waiter at once and rejects; settling disarms both', async () => {
    const list = new WaitList<string>(timeoutError);
    const controller = new AbortController();
    const aborted = list.add(undefined, { signal: controller.signal, timeout: 10_000 });
    const timedOut = list.add(undefined, { timeout: 5 });
    controller.abort(new Error('bye'));
    expect(list.size).toBe(1);
    await expect(aborted).rejects.toThrow('bye');
    await expect(timedOut).rejects.toMatchObject({ code: 'ERR_X_TIMEOUT' });
    expect(list.size).toBe(0);
    const served = list.add(undefined, { signal: controller.signal });
    await expect(served).rejects.toThrow('bye'); // already aborted: never queued
    const other = new AbortController();
    const ok = list.add(undefined, { signal: other.signal, timeout: 60_000 });
    list.shift()!.resolve('ok');
    expect(await ok).toBe('ok');
    expect(getEventListeners(other.signal, 'abort')).toHaveLength(0);
  });

  it('rejectAll and resolveAll settle everyone oldest first', async () => {
    const list = new WaitList<number>(timeoutError);
    const order: number[] = [];
    const ps = [1, 2, 3].map((i) => list.add(undefined).then((v) => order.push(i * 10 + v)));
    list.resolveAll(0);
    await Promise.all(ps);
    expect(order).toEqual([10, 20, 30]);
  });
});

describe('validateWaitOptions', () => {
  it('names the bad property', () => {
    expect(() => validateWaitOptions({ signal: 'x' }, 'options')).toThrow('"options.signal"');
    expect(() => validateWaitOptions({ timeout: Number.NaN }, 'options')).toThrow('"options.timeout"');
    expect(() => validateWaitOptions(3, 'options')).toThrow('"options"');
    expect(() => validateWaitOptions(undefined, 'options')).not.toThrow();
  });
});
