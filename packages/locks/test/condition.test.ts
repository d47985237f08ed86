import { Condition, InvalidStateError, Lock, TimeoutError } from '@x/locks';
import { describe, expect, it } from 'vitest';
import {
  delay,
  flush,
  thrown,
  track,
  trapUnhandledRejections,
} from '../../../scripts/test-support/waiters.js';

trapUnhandledRejections();

describe('Condition', () => {
  it('wait() releases the lock, and notify() wakes one waiter that then holds the lock again', async () => {
    const cond = new Condition();
    const log: string[] = [];
    const waiter = cond.run(async () => {
      log.push('waiting');
      await cond.wait();
      log.push(`woken, locked=${cond.locked}`);
    });
    await flush();
    expect(cond.locked).toBe(false); // released while waiting
    expect(cond.waiting).toBe(1);
    await cond.run(() => {
      cond.notify();
      log.push('notified');
    });
    await waiter;
    expect(log).toEqual(['waiting', 'notified', 'woken, locked=true']);
    expect(cond.locked).toBe(false);
  });

  it('notify(n) wakes n waiters in order; notifyAll() wakes the rest', async () => {
    const cond = new Condition();
    const woken: number[] = [];
    const waiters = [0, 1, 2, 3].map((i) =>
      cond.run(async () => {
        await cond.wait();
        woken.push(i);
      }),
    );
    await flush();
    await cond.run(() => cond.notify(2));
    await delay(5);
    expect(woken).toEqual([0, 1]);
    await cond.run(() => cond.notifyAll());
    await Promise.all(waiters);
    expect(woken).toEqual([0, 1, 2, 3]);
  });

  it('waitFor(predicate) resolves with the predicate value once it holds', async () => {
    const cond = new Condition();
    const items: number[] = [];
    const consumer = cond.run(() => cond.waitFor(() => items.length >= 2 && items.slice()));
    for (const i of [1, 2]) {
      await flush();
      await cond.run(() => {
        items.push(i);
        cond.notifyAll();
      });
    }
    expect(await consumer).toEqual([1, 2]);
  });

  it('a cancelled wait() re-acquires the lock before it rejects (asyncio rule)', async () => {
    const lock = new Lock();
    const cond = new Condition(lock);
    const controller = new AbortController();
    let lockedWhenRejected: boolean | undefined;
    const waiter = cond.run(async () => {
      await cond.wait({ signal: controller.signal }).catch((error) => {
        lockedWhenRejected = lock.locked;
        throw error;
      });
    });
    await flush();
    // Somebody else holds the lock when the abort comes: the waiter must wait for it.
    const other = await lock.acquire();
    controller.abort(new Error('stop'));
    await flush();
    expect(lockedWhenRejected).toBeUndefined();
    other.release();
    await expect(waiter).rejects.toThrow('stop');
    expect(lockedWhenRejected).toBe(true);
    expect(lock.locked).toBe(false); // run() released it: the permit was handed back, not leaked
  });

  it('waitFor times out with the whole budget and leaves the lock released by run()', async () => {
    const cond = new Condition();
    const error = await cond.run(() => cond.waitFor(() => false, { timeout: 20 })).catch((e) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.ms).toBe(20);
    expect(cond.locked).toBe(false);
  });

  it('wait, waitFor, notify and notifyAll without the lock throw InvalidStateError', () => {
    const cond = new Condition();
    for (const call of [
      () => cond.wait(),
      () => cond.waitFor(() => true),
      () => cond.notify(),
      () => cond.notifyAll(),
    ]) {
      expect(thrown(call)).toBeInstanceOf(InvalidStateError);
    }
  });

  it('rejects bad input: a non-Lock, a non-function predicate, a bad n', async () => {
    expect(thrown(() => new Condition({} as never))).toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
    const cond = new Condition();
    using _held = await cond.acquire();
    expect(thrown(() => cond.waitFor(1 as never)).message).toContain('"predicate"');
    expect(thrown(() => cond.notify(-1))).toMatchObject({ code: 'ERR_OUT_OF_RANGE' });
    const pending = track(cond.wait({ timeout: 1 }));
    await delay(10);
    expect(pending.status).toBe('rejected');
  });
});
