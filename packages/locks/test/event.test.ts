import { Event, TimeoutError } from '@x/locks';
import { describe, expect, it } from 'vitest';
import {
  abortListenerCount,
  flush,
  track,
  trapUnhandledRejections,
} from '../../../scripts/test-support/waiters.js';

trapUnhandledRejections();

describe('Event', () => {
  it('set() wakes every waiter; wait() on a set event resolves at once; clear() makes waits wait again', async () => {
    const event = new Event();
    const a = track(event.wait());
    const b = track(event.wait());
    await flush();
    expect([a.status, b.status]).toEqual(['pending', 'pending']);
    event.set();
    await flush();
    expect([a.value, b.value]).toEqual([true, true]);
    expect(event.isSet).toBe(true);
    await expect(event.wait()).resolves.toBe(true);
    event.clear();
    const c = track(event.wait());
    await flush();
    expect(c.status).toBe('pending');
    event.set();
    await flush();
    expect(c.status).toBe('fulfilled');
  });

  it('a waiter leaves on abort (listener removed) and on timeout', async () => {
    const event = new Event();
    const controller = new AbortController();
    const aborted = track(event.wait({ signal: controller.signal }));
    expect(abortListenerCount(controller.signal)).toBe(1);
    controller.abort();
    await flush();
    expect(aborted.status).toBe('rejected');
    expect(abortListenerCount(controller.signal)).toBe(0);
    await expect(event.wait({ timeout: 5 })).rejects.toBeInstanceOf(TimeoutError);
    expect(event.waiting).toBe(0);
  });

  it('removes its listener from the caller signal when woken by set()', async () => {
    const event = new Event();
    const controller = new AbortController();
    const waiting = event.wait({ signal: controller.signal });
    event.set();
    await waiting;
    expect(abortListenerCount(controller.signal)).toBe(0);
  });
});
