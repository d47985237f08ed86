import { InvalidStateError, Lock, TimeoutError } from '@x/locks';
import { describe, expect, it } from 'vitest';
import {
  delay,
  flush,
  thrown,
  track,
  trapUnhandledRejections,
} from '../../../scripts/test-support/waiters.js';

trapUnhandledRejections();

describe('Lock', () => {
  it('one holder at a time; waiters get it first come, first served', async () => {
    const lock = new Lock();
    const order: number[] = [];
    await Promise.all(
      [1, 2, 3].map((i) =>
        lock.run(async () => {
          order.push(i);
          await delay(5);
          order.push(-i);
        }),
      ),
    );
    expect(order).toEqual([1, -1, 2, -2, 3, -3]);
    expect(lock.locked).toBe(false);
  });

  it('prevents the lost update that the unguarded read-modify-write shows', async () => {
    const increment = async (state: { n: number }) => {
      const read = state.n;
      await delay(1);
      state.n = read + 1;
    };
    const unguarded = { n: 0 };
    await Promise.all(Array.from({ length: 10 }, () => increment(unguarded)));
    expect(unguarded.n).toBeLessThan(10);
    const lock = new Lock();
    const guarded = { n: 0 };
    await Promise.all(Array.from({ length: 10 }, () => lock.run(() => increment(guarded))));
    expect(guarded.n).toBe(10);
  });

  it('release() of an unlocked lock throws InvalidStateError (ERR_X_INVALID_STATE)', () => {
    const error = thrown(() => new Lock().release());
    expect(error).toBeInstanceOf(InvalidStateError);
    expect(error).toMatchObject({ name: 'InvalidStateError', code: 'ERR_X_INVALID_STATE' });
  });

  it('tryAcquire() takes a free lock and returns undefined on a held one', () => {
    const lock = new Lock();
    const held = lock.tryAcquire();
    expect(held).toBeDefined();
    expect(lock.tryAcquire()).toBeUndefined();
    lock.release();
    expect(held!.released).toBe(true);
    expect(lock.locked).toBe(false);
  });

  it('a stale permit (lock released through lock.release()) does not release the next holder', async () => {
    const lock = new Lock();
    const first = await lock.acquire();
    const second = lock.acquire();
    lock.release();
    const held = await second;
    first.release(); // must not free `held`'s lock
    expect(lock.locked).toBe(true);
    held.release();
    expect(lock.locked).toBe(false);
  });

  it('an aborted or timed-out waiter never takes the lock', async () => {
    const lock = new Lock();
    const held = await lock.acquire();
    const controller = new AbortController();
    const aborted = track(lock.acquire({ signal: controller.signal }));
    const timedOut = lock.acquire({ timeout: 10 }).catch((e) => e);
    controller.abort();
    expect(await timedOut).toBeInstanceOf(TimeoutError);
    expect(lock.waiting).toBe(0);
    held.release();
    await flush();
    expect(aborted.status).toBe('rejected');
    expect(lock.locked).toBe(false);
  });

  it('run() passes the caller signal and releases when fn throws', async () => {
    const lock = new Lock();
    const controller = new AbortController();
    await expect(
      lock.run(
        (signal) => {
          expect(signal).toBe(controller.signal);
          throw new Error('x');
        },
        { signal: controller.signal },
      ),
    ).rejects.toThrow('x');
    expect(lock.locked).toBe(false);
    await expect(lock.run('nope' as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
  });
});
