import { AsyncLocalStorage } from 'node:async_hooks';
import { AbortError, limit, TimeoutError } from '@x/locks';
import { describe, expect, it } from 'vitest';
import {
  abortListenerCount,
  delay,
  flush,
  thrown,
  track,
  trapUnhandledRejections,
} from '../../../scripts/test-support/waiters.js';

trapUnhandledRejections();

describe('limit', () => {
  it('runs at most `concurrency` at once, in call order, each resolving with its own value', async () => {
    const lim = limit(2);
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        lim(async () => {
          started.push(i);
          peak = Math.max(peak, ++running);
          await delay(5);
          running--;
          return i * 10;
        }),
      ),
    );
    expect(results).toEqual([0, 10, 20, 30, 40, 50, 60, 70]);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(peak).toBe(2);
  });

  it('passes the caller signal itself to fn, so aborting stops the running work', async () => {
    const lim = limit(1);
    const controller = new AbortController();
    let stopped = false;
    const running = lim(
      (signal) =>
        new Promise((_, reject) => {
          expect(signal).toBe(controller.signal);
          signal.addEventListener('abort', () => {
            stopped = true;
            reject(signal.reason);
          });
        }),
      { signal: controller.signal },
    );
    controller.abort(new Error('cancelled'));
    await expect(running).rejects.toThrow('cancelled');
    expect(stopped).toBe(true);
    expect(lim.activeCount).toBe(0);
  });

  it('a queued call whose signal aborts leaves at once, never starts, and frees nothing it did not hold', async () => {
    const lim = limit(1);
    let release!: () => void;
    const first = lim(() => new Promise<void>((resolve) => (release = resolve)));
    const controller = new AbortController();
    let started = false;
    const queued = track(lim(() => (started = true), { signal: controller.signal }));
    expect(lim.pendingCount).toBe(1);
    controller.abort(new Error('gone'));
    expect(lim.pendingCount).toBe(0);
    expect(abortListenerCount(controller.signal)).toBe(0);
    release();
    await first;
    await flush();
    expect(queued).toMatchObject({ status: 'rejected', reason: new Error('gone') });
    expect(started).toBe(false);
    expect(lim.activeCount).toBe(0);
  });

  it('a queued call times out with TimeoutError after options.timeout', async () => {
    const lim = limit(1);
    const blocker = lim(() => delay(60));
    const error = await lim(() => 'never', { timeout: 10 }).catch((e) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.code).toBe('ERR_X_TIMEOUT');
    expect(lim.pendingCount).toBe(0);
    await blocker;
  });

  it('a signal already aborted rejects at once without starting fn', async () => {
    const lim = limit(1);
    let started = false;
    await expect(
      lim(() => (started = true), { signal: AbortSignal.abort(new Error('pre')) }),
    ).rejects.toThrow('pre');
    expect(started).toBe(false);
    expect(lim.activeCount).toBe(0);
  });

  it('raising concurrency while running starts waiters at once', async () => {
    const lim = limit(1);
    const gates: Array<() => void> = [];
    const calls = Array.from({ length: 4 }, () =>
      lim(() => new Promise<void>((resolve) => gates.push(resolve))),
    );
    expect(lim.activeCount).toBe(1);
    lim.concurrency = 3;
    expect(lim.activeCount).toBe(3);
    expect(lim.pendingCount).toBe(1);
    for (const open of gates.splice(0)) open();
    await flush();
    for (const open of gates.splice(0)) open();
    await Promise.all(calls);
    expect(lim.concurrency).toBe(3);
  });

  it('clearQueue() rejects the waiters with AbortError (or the given reason) and leaves running calls alone', async () => {
    const lim = limit(1);
    const running = lim(() => delay(10).then(() => 'done'));
    const a = lim(() => 'a');
    const b = lim(() => 'b');
    lim.clearQueue();
    await expect(a).rejects.toBeInstanceOf(AbortError);
    await expect(b).rejects.toMatchObject({ code: 'ERR_X_ABORTED' });
    const c = lim(() => 'c');
    const reason = new Error('shutting down');
    lim.clearQueue(reason);
    await expect(c).rejects.toBe(reason);
    expect(await running).toBe('done');
  });

  it('a synchronous throw rejects that call only; the limiter goes on (many sync calls do not grow the stack)', async () => {
    const lim = limit(1);
    const blocker = lim(() => delay(5));
    const calls = Array.from({ length: 20_000 }, (_, i) =>
      lim(() => {
        if (i === 3) throw new Error('sync');
        return i;
      }),
    );
    await blocker;
    const settled = await Promise.allSettled(calls);
    expect(settled[3]).toMatchObject({ status: 'rejected' });
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(19_999);
  });

  it('runs each queued call in its caller async context (AsyncLocalStorage)', async () => {
    const lim = limit(2);
    const store = new AsyncLocalStorage<{ id: number }>();
    const mismatches: number[] = [];
    await Promise.all(
      Array.from({ length: 50 }, (_, id) =>
        store.run({ id }, () =>
          lim(async () => {
            if (store.getStore()?.id !== id) mismatches.push(id);
            await delay(1);
            if (store.getStore()?.id !== id) mismatches.push(id);
          }),
        ),
      ),
    );
    expect(mismatches).toEqual([]);
  });

  it('rate: starts at most `limit` calls per `interval` (sliding window)', async () => {
    const lim = limit(10, { rate: { limit: 3, interval: 100 } });
    const t0 = performance.now();
    const starts: number[] = [];
    await Promise.all(Array.from({ length: 7 }, () => lim(() => starts.push(performance.now() - t0))));
    expect(starts.slice(0, 3).every((t) => t < 50)).toBe(true);
    // Every window of 100 ms holds at most 3 starts (a timer may fire a hair early: allow 2 ms).
    for (let i = 3; i < starts.length; i++) expect(starts[i]! - starts[i - 3]!).toBeGreaterThanOrEqual(98);
    expect(starts[6]).toBeGreaterThanOrEqual(198);
  });

  it('rejects bad concurrency, rate, fn and options at once, naming them', () => {
    for (const bad of [0, -1, 1.2, Number.NaN]) {
      expect(thrown(() => limit(bad))).toMatchObject({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' });
    }
    expect(thrown(() => limit('4' as never))).toMatchObject({
      name: 'TypeError',
      code: 'ERR_INVALID_ARG_TYPE',
    });
    expect(thrown(() => limit(1, { rate: { limit: 0, interval: 10 } })).message).toContain(
      '"options.rate.limit"',
    );
    expect(thrown(() => limit(1, { rate: { limit: 1, interval: 0 } })).message).toContain(
      '"options.rate.interval"',
    );
    const lim = limit(Number.POSITIVE_INFINITY);
    expect(thrown(() => lim(42 as never)).message).toContain('"fn"');
    expect(thrown(() => lim(() => 1, { timeout: -5 })).message).toContain('"options.timeout"');
    expect(
      thrown(() => {
        lim.concurrency = 0;
      }),
    ).toMatchObject({ code: 'ERR_OUT_OF_RANGE' });
  });
});
