/**
 * Ported from DirtyHairy/async-mutex, `test/semaphoreSuite.ts`, `test/mutex.ts` and `test/withTimeout.ts`
 * (v0.5.x), MIT licence, Copyright (c) 2016 Christian Speckner.
 * https://github.com/DirtyHairy/async-mutex/tree/master/test
 * Test names are async-mutex's; bodies use our API: `acquire()` resolves to a permit (not `[value, release]`),
 * `runExclusive` is `run`, `isLocked()` is `locked`, `cancel()` is an AbortSignal per waiter, `withTimeout` is
 * `{ timeout }`. Weights and priorities (async-mutex extensions asyncio does not have) are left out.
 * Differences: our `Lock.release()` on an unlocked lock throws (asyncio's rule) where async-mutex ignores it.
 */
import { InvalidStateError, Lock, Semaphore, TimeoutError } from '@x/locks';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flush, trapUnhandledRejections } from '../../../scripts/test-support/waiters.js';

trapUnhandledRejections();

describe('async-mutex semaphoreSuite, ported', () => {
  let semaphore: Semaphore;
  beforeEach(() => {
    vi.useFakeTimers();
    semaphore = new Semaphore(2);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('acquire does not block while the semaphore has not reached zero', async () => {
    const values: number[] = [];
    semaphore.acquire().then(() => values.push(semaphore.value));
    semaphore.acquire().then(() => values.push(semaphore.value));
    await vi.advanceTimersByTimeAsync(0);
    expect(values).toHaveLength(2);
    expect(semaphore.value).toBe(0);
  });

  it('acquire blocks when the semaphore has reached zero until it is released again', async () => {
    const acquired: number[] = [];
    semaphore.acquire().then(() => acquired.push(1));
    semaphore.acquire().then((permit) => {
      acquired.push(2);
      setTimeout(() => permit.release(), 100);
    });
    semaphore.acquire().then(() => acquired.push(3));
    await vi.advanceTimersByTimeAsync(0);
    expect(acquired).toEqual([1, 2]);
    await vi.runAllTimersAsync();
    expect(acquired).toEqual([1, 2, 3]);
  });

  it('the semaphore increments again after a release', async () => {
    semaphore.acquire().then((permit) => setTimeout(() => permit.release(), 100));
    semaphore.acquire().then((permit) => setTimeout(() => permit.release(), 200));
    await vi.advanceTimersByTimeAsync(250);
    expect(semaphore.value).toBe(2);
  });

  it('the releaser is idempotent', async () => {
    const acquired: string[] = [];
    semaphore.acquire().then((permit) => {
      acquired.push('a');
      setTimeout(() => {
        permit.release();
        permit.release();
      }, 50);
    });
    semaphore.acquire().then((permit) => {
      acquired.push('b');
      setTimeout(() => permit.release(), 100);
    });
    await vi.advanceTimersByTimeAsync(10);
    semaphore.acquire().then(() => acquired.push('c'));
    semaphore.acquire().then(() => acquired.push('d'));
    await vi.advanceTimersByTimeAsync(10);
    expect(acquired).toEqual(['a', 'b']);
    await vi.advanceTimersByTimeAsync(40);
    expect(acquired).toEqual(['a', 'b', 'c']); // the double release freed one permit, not two
    await vi.advanceTimersByTimeAsync(50);
    expect(acquired).toEqual(['a', 'b', 'c', 'd']);
  });

  it('runExclusive passes result (immediate)', async () => {
    expect(await semaphore.run(() => 10)).toBe(10);
  });

  it('runExclusive passes result (promise)', async () => {
    expect(await semaphore.run(() => Promise.resolve(10))).toBe(10);
  });

  it('runExclusive passes rejection', async () => {
    await expect(semaphore.run(() => Promise.reject(new Error('foo')))).rejects.toThrow('foo');
  });

  it('runExclusive passes exception', async () => {
    await expect(
      semaphore.run(() => {
        throw new Error('foo');
      }),
    ).rejects.toThrow('foo');
  });

  it('runExclusive is exclusive', async () => {
    semaphore = new Semaphore(1);
    let flag = false;
    semaphore.run(
      () =>
        new Promise((resolve) =>
          setTimeout(() => {
            flag = true;
            resolve(undefined);
          }, 50),
        ),
    );
    expect(flag).toBe(false);
    const second = semaphore.run(() => flag);
    await vi.advanceTimersByTimeAsync(50);
    expect(await second).toBe(true);
  });

  it('exceptions during runExclusive do not leave semaphore locked', async () => {
    semaphore = new Semaphore(1);
    let flag = false;
    semaphore
      .run(() => {
        flag = true;
        throw new Error();
      })
      .then(undefined, () => undefined);
    await semaphore.run(() => undefined);
    expect(flag).toBe(true);
    expect(semaphore.value).toBe(1);
  });

  it('new semaphore is unlocked', () => {
    expect(semaphore.locked).toBe(false);
  });

  it('the release method releases a locked semaphore', async () => {
    semaphore = new Semaphore(1);
    await semaphore.acquire();
    expect(semaphore.locked).toBe(true);
    semaphore.release();
    expect(semaphore.locked).toBe(false);
  });

  it('calling release on a unlocked semaphore does not throw', () => {
    semaphore = new Semaphore(1);
    expect(() => semaphore.release()).not.toThrow();
  });

  it('a canceled waiter will not lock the semaphore again', async () => {
    semaphore = new Semaphore(1);
    const permit = await semaphore.acquire();
    const controller = new AbortController();
    semaphore.acquire({ signal: controller.signal }).then(undefined, () => undefined);
    controller.abort();
    expect(semaphore.locked).toBe(true);
    permit.release();
    expect(semaphore.locked).toBe(false);
  });
});

describe('async-mutex mutex, ported', () => {
  it('ownership is exclusive', async () => {
    const mutex = new Lock();
    let flag = false;
    const first = await mutex.acquire();
    setTimeout(() => {
      flag = true;
      first.release();
    }, 20);
    await mutex.acquire();
    expect(flag).toBe(true);
  });

  it('isLocked reflects the mutex state', async () => {
    const mutex = new Lock();
    const lock1 = mutex.acquire();
    const lock2 = mutex.acquire();
    expect(mutex.locked).toBe(true);
    (await lock1).release();
    expect(mutex.locked).toBe(true);
    (await lock2).release();
    expect(mutex.locked).toBe(false);
  });

  it('calling release on a unlocked mutex does not throw (differs: asyncio raises, and so do we)', () => {
    expect(() => new Lock().release()).toThrow(InvalidStateError);
  });

  it('multiple calls to release behave as expected', async () => {
    const mutex = new Lock();
    let v = 0;
    const run = async () => {
      const permit = await mutex.acquire();
      v++;
      permit.release();
      permit.release();
    };
    await Promise.all([run(), run(), run()]);
    expect(v).toBe(3);
    expect(mutex.locked).toBe(false);
  });

  it('a canceled waiter will not lock the mutex again', async () => {
    const mutex = new Lock();
    const permit = await mutex.acquire();
    const controller = new AbortController();
    mutex.acquire({ signal: controller.signal }).then(undefined, () => undefined);
    controller.abort();
    expect(mutex.locked).toBe(true);
    permit.release();
    expect(mutex.locked).toBe(false);
  });
});

describe('async-mutex withTimeout, ported', () => {
  it('acquire clears timeout if lock is acquired', async () => {
    const mutex = new Lock();
    (await mutex.acquire({ timeout: 10 })).release();
    await new Promise((resolve) => setTimeout(resolve, 20)); // a stray timer would reject unhandled here
    expect(mutex.locked).toBe(false);
  });

  it('acquire rejects with timeout error if timeout is exceeded', async () => {
    const mutex = new Lock();
    await mutex.acquire();
    await expect(mutex.acquire({ timeout: 10 })).rejects.toBeInstanceOf(TimeoutError);
  });

  it('after a timeout, acquire does automatically release the mutex once it is acquired (here: never takes it)', async () => {
    const mutex = new Lock();
    const held = await mutex.acquire();
    await mutex.acquire({ timeout: 10 }).catch(() => undefined);
    held.release();
    await flush();
    expect(mutex.locked).toBe(false);
  });

  it('runExclusive does not run the callback if timeout is exceeded', async () => {
    const mutex = new Lock();
    await mutex.acquire();
    let ran = false;
    await expect(mutex.run(() => (ran = true), { timeout: 10 })).rejects.toMatchObject({
      code: 'ERR_X_TIMEOUT',
    });
    expect(ran).toBe(false);
  });
});
