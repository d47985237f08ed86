import { Barrier, BrokenBarrierError } from '@x/locks';
import { describe, expect, it } from 'vitest';
import { flush, thrown, track, trapUnhandledRejections } from '../../../scripts/test-support/waiters.js';

trapUnhandledRejections();

describe('Barrier', () => {
  it('releases all parties together with distinct arrival indexes, then is ready for the next cycle', async () => {
    const barrier = new Barrier(3);
    const a = track(barrier.wait());
    const b = track(barrier.wait());
    await flush();
    expect([a.status, b.status]).toEqual(['pending', 'pending']);
    expect(barrier.waiting).toBe(2);
    const c = await barrier.wait();
    await flush();
    expect([a.value, b.value, c]).toEqual([0, 1, 2]);
    expect(barrier.waiting).toBe(0);
    expect((await Promise.all([barrier.wait(), barrier.wait(), barrier.wait()])).sort()).toEqual([0, 1, 2]);
  });

  it('a cancelled party leaves and is not counted', async () => {
    const barrier = new Barrier(2);
    const controller = new AbortController();
    const leaving = track(barrier.wait({ signal: controller.signal }));
    controller.abort();
    await flush();
    expect(leaving.status).toBe('rejected');
    const first = track(barrier.wait());
    await flush();
    expect(first.status).toBe('pending');
    expect(await barrier.wait()).toBe(1);
  });

  it('abort() rejects waiters and later waits with BrokenBarrierError until reset()', async () => {
    const barrier = new Barrier(2);
    const waiting = barrier.wait();
    barrier.abort();
    await expect(waiting).rejects.toBeInstanceOf(BrokenBarrierError);
    await expect(barrier.wait()).rejects.toMatchObject({
      name: 'BrokenBarrierError',
      code: 'ERR_X_BROKEN_BARRIER',
    });
    expect(barrier.broken).toBe(true);
    barrier.reset();
    expect(barrier.broken).toBe(false);
    expect(await Promise.all([barrier.wait(), barrier.wait()])).toEqual([0, 1]);
  });

  it('reset() rejects the current waiters and empties the barrier', async () => {
    const barrier = new Barrier(3);
    const waiting = barrier.wait();
    barrier.reset();
    await expect(waiting).rejects.toBeInstanceOf(BrokenBarrierError);
    expect(barrier.waiting).toBe(0);
  });

  it('parties must be an integer >= 1', () => {
    expect(thrown(() => new Barrier(0))).toMatchObject({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' });
    expect(thrown(() => new Barrier(2.5)).message).toContain('"parties"');
    expect(thrown(() => new (Barrier as new () => Barrier)())).toMatchObject({
      code: 'ERR_INVALID_ARG_TYPE',
    });
  });
});
