import { BoundedSemaphore, Semaphore, TimeoutError } from '@x/locks';
import { describe, expect, it } from 'vitest';
import {
  abortListenerCount,
  flush,
  thrown,
  track,
  trapUnhandledRejections,
} from '../../../scripts/test-support/waiters.js';

trapUnhandledRejections();

describe('Semaphore', () => {
  it('hands out `value` permits at once, then queues waiters and serves them first come, first served', async () => {
    const sem = new Semaphore(2);
    const a = await sem.acquire();
    await sem.acquire();
    expect(sem.value).toBe(0);
    expect(sem.locked).toBe(true);
    const order: string[] = [];
    const w1 = sem.acquire().then((p) => {
      order.push('w1');
      return p;
    });
    const w2 = sem.acquire().then((p) => {
      order.push('w2');
      return p;
    });
    const w3 = sem.acquire().then((p) => {
      order.push('w3');
      return p;
    });
    expect(sem.waiting).toBe(3);
    a.release();
    await flush();
    expect(order).toEqual(['w1']);
    (await w1).release();
    await flush();
    expect(order).toEqual(['w1', 'w2']);
    (await w2).release();
    (await w3).release();
    expect(order).toEqual(['w1', 'w2', 'w3']);
    expect(sem.value).toBe(1);
  });

  it('a permit releases once: a second release() or dispose is a no-op', async () => {
    const sem = new Semaphore(1);
    const permit = await sem.acquire();
    permit.release();
    expect(permit.released).toBe(true);
    permit.release();
    permit[Symbol.dispose]();
    expect(sem.value).toBe(1);
  });

  it('works with `using`: the permit is released when the block ends, even on a throw', async () => {
    const sem = new Semaphore(1);
    await expect(
      (async () => {
        using _permit = await sem.acquire();
        expect(sem.value).toBe(0);
        throw new Error('boom');
      })(),
    ).rejects.toThrow('boom');
    expect(sem.value).toBe(1);
  });

  it('tryAcquire() returns a permit when one is free and undefined otherwise, never waiting', () => {
    const sem = new Semaphore(1);
    const permit = sem.tryAcquire();
    expect(permit).toBeDefined();
    expect(sem.tryAcquire()).toBeUndefined();
    permit!.release();
    expect(sem.tryAcquire()).toBeDefined();
  });

  it('release() on the semaphore adds a permit (asyncio form, unbounded)', () => {
    const sem = new Semaphore(0);
    sem.release();
    sem.release();
    expect(sem.value).toBe(2);
  });

  it('an aborted waiter leaves the queue at once, rejects with the reason and never takes a permit', async () => {
    const sem = new Semaphore(1);
    const held = await sem.acquire();
    const controller = new AbortController();
    const aborted = track(sem.acquire({ signal: controller.signal }));
    const next = track(sem.acquire());
    expect(sem.waiting).toBe(2);
    const reason = new Error('caller gave up');
    controller.abort(reason);
    expect(sem.waiting).toBe(1);
    expect(abortListenerCount(controller.signal)).toBe(0);
    held.release();
    await flush();
    expect(aborted).toMatchObject({ status: 'rejected', reason });
    expect(next.status).toBe('fulfilled');
    expect(sem.value).toBe(0);
  });

  it('a signal already aborted rejects at once, even with a permit free', async () => {
    const sem = new Semaphore(1);
    await expect(sem.acquire({ signal: AbortSignal.abort(new Error('no')) })).rejects.toThrow('no');
    expect(sem.value).toBe(1);
  });

  it('a timed-out waiter rejects with TimeoutError (ERR_X_TIMEOUT), leaves, and its timer is cleared on success', async () => {
    const sem = new Semaphore(0);
    const error = await sem.acquire({ timeout: 20 }).catch((e) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ name: 'TimeoutError', code: 'ERR_X_TIMEOUT', ms: 20 });
    expect(sem.waiting).toBe(0);
    sem.release();
    expect(sem.value).toBe(1);
    // timeout: 0 with nothing free fails at once; with a permit free it succeeds.
    const busy = new Semaphore(0);
    await expect(busy.acquire({ timeout: 0 })).rejects.toBeInstanceOf(TimeoutError);
    await expect(new Semaphore(1).acquire({ timeout: 0 })).resolves.toBeDefined();
  });

  it('abort racing release: the permit goes to the next waiter still waiting, never lost', async () => {
    const sem = new Semaphore(1);
    const held = await sem.acquire();
    const controller = new AbortController();
    const first = track(sem.acquire({ signal: controller.signal }));
    const second = track(sem.acquire());
    // Same tick: abort, then release.
    controller.abort();
    held.release();
    await flush();
    expect(first.status).toBe('rejected');
    expect(second.status).toBe('fulfilled');
    expect(sem.value).toBe(0);
    (second.value as { release(): void }).release();
    expect(sem.value).toBe(1);
  });

  it('run(fn) holds a permit while fn runs, passes the caller signal, and releases on success and failure', async () => {
    const sem = new Semaphore(1);
    const controller = new AbortController();
    let seen: AbortSignal | undefined;
    const value = await sem.run(
      async (signal) => {
        seen = signal;
        expect(sem.value).toBe(0);
        return 42;
      },
      { signal: controller.signal },
    );
    expect(value).toBe(42);
    expect(seen).toBe(controller.signal);
    await expect(sem.run(() => Promise.reject(new Error('fail')))).rejects.toThrow('fail');
    await expect(
      sem.run(() => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    expect(sem.value).toBe(1);
  });

  it('run() without a signal hands fn a signal that never aborts', async () => {
    const signal = await new Semaphore().run((s) => s);
    expect(signal).toBeInstanceOf(AbortSignal);
    expect(signal.aborted).toBe(false);
  });

  it('a run() aborted after being woken but before starting does not start fn and passes the permit on', async () => {
    const sem = new Semaphore(1);
    const held = await sem.acquire();
    const controller = new AbortController();
    let started = false;
    const run = track(
      sem.run(
        () => {
          started = true;
        },
        { signal: controller.signal },
      ),
    );
    held.release(); // hands the permit to run()'s waiter...
    controller.abort(new Error('late')); // ...which is aborted before its continuation runs
    await flush();
    expect(run.status).toBe('rejected');
    expect(started).toBe(false);
    expect(sem.value).toBe(1);
  });

  it('rejects bad input early, naming the argument', () => {
    expect(thrown(() => new Semaphore(-1))).toMatchObject({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' });
    expect(thrown(() => new Semaphore(1.5)).message).toContain('"value"');
    expect(thrown(() => new Semaphore('2' as never))).toMatchObject({
      name: 'TypeError',
      code: 'ERR_INVALID_ARG_TYPE',
    });
    const sem = new Semaphore();
    expect(thrown(() => sem.acquire({ signal: 1 as never })).message).toContain('"options.signal"');
    expect(thrown(() => sem.acquire({ timeout: -1 })).message).toContain('"options.timeout"');
    expect(thrown(() => sem.acquire(null as never))).toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
  });

  it('run() with a non-function rejects with a TypeError naming fn', async () => {
    await expect(new Semaphore().run(42 as never)).rejects.toMatchObject({
      name: 'TypeError',
      code: 'ERR_INVALID_ARG_TYPE',
      message: expect.stringContaining('"fn"'),
    });
  });
});

describe('BoundedSemaphore', () => {
  it('releasing above the initial value throws a RangeError with a code (release without acquire)', async () => {
    const sem = new BoundedSemaphore(2);
    expect(thrown(() => sem.release())).toMatchObject({
      name: 'RangeError',
      code: 'ERR_X_SEMAPHORE_OVER_RELEASED',
    });
    const permit = await sem.acquire();
    sem.release();
    expect(sem.value).toBe(2);
    // The permit's own release now over-releases too (its permit was given back by sem.release()): refused.
    expect(thrown(() => permit.release())).toMatchObject({ code: 'ERR_X_SEMAPHORE_OVER_RELEASED' });
    expect(sem.value).toBe(2);
  });

  it('hands permits to waiters like a Semaphore', async () => {
    const sem = new BoundedSemaphore(1);
    const held = await sem.acquire();
    const waiter = track(sem.acquire());
    held.release();
    await flush();
    expect(waiter.status).toBe('fulfilled');
    expect(sem.value).toBe(0);
  });
});
