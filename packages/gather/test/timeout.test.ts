import { brandErrorClass } from '@x/internal';
import { describe, expect, it } from 'vitest';
import { AbortError, asCompleted, gather, map, mapStream, TimeoutError } from '../src/index.js';
import { Probe, sleep, ticks, trapUnhandledRejections } from './helpers.js';

trapUnhandledRejections();

describe('per-operation timeout', () => {
  it('gather: aborts the slow operation’s signal with a TimeoutError, rejects with it and aborts the others', async () => {
    const probe = new Probe();
    const error = (await gather(
      [probe.op(0, 500, 'slow'), probe.op(1, 500, 'other'), probe.op(2, 5, 'fast')],
      {
        timeout: 50,
      },
    ).catch((e: unknown) => e)) as TimeoutError;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.code).toBe('ERR_X_TIMEOUT');
    expect(error.ms).toBe(50);
    expect(error.message).toBe(
      'The operation did not settle within its timeout of 50 ms (options.timeout), so its signal was aborted.',
    );
    await ticks(5);
    // Both slow ones hit the deadline: each signal was aborted with a TimeoutError; the fast one finished.
    expect(probe.aborted.get(0)).toBeInstanceOf(TimeoutError);
    expect(probe.finished).toEqual([2]);
  });

  it('gather: under returnExceptions the TimeoutError becomes that operation’s result; the others finish', async () => {
    const probe = new Probe();
    const results = await gather([probe.op(0, 400, 'slow'), probe.op(1, 10, 'fast'), sleep(5, 'promise')], {
      timeout: 60,
      returnExceptions: true,
    });
    expect(results[0]).toBeInstanceOf(TimeoutError);
    expect(results.slice(1)).toEqual(['fast', 'promise']);
    expect(probe.aborted.get(0)).toBe(results[0]); // the same error aborted its signal
  });

  it('gather: each operation has its own deadline, counted from its own start under a concurrency limit', async () => {
    const probe = new Probe();
    // 4 operations of 40 ms, 1 at a time: 160 ms in total, but each one is well inside its 100 ms.
    const results = await gather(
      [0, 1, 2, 3].map((i) => probe.op(i, 40, i)),
      { concurrency: 1, timeout: 100 },
    );
    expect(results).toEqual([0, 1, 2, 3]);
  });

  it('gather: a promise passed directly cannot be stopped but fails at the deadline', async () => {
    const results = await gather([sleep(300, 'late')], { timeout: 20, returnExceptions: true });
    expect(results[0]).toBeInstanceOf(TimeoutError);
  });

  it('the TimeoutError is one identity with every @x TimeoutError (the ERR_X_TIMEOUT brand)', async () => {
    // Stands for @x/timeout's class, which brands itself the same way (a runtime dependency is not allowed).
    class OtherPackageTimeoutError extends Error {
      static {
        brandErrorClass(this, 'ERR_X_TIMEOUT');
      }
    }
    const [error] = await gather([(s) => sleep(300, 1, s)], { timeout: 10, returnExceptions: true });
    expect(error).toBeInstanceOf(OtherPackageTimeoutError);
    expect(new OtherPackageTimeoutError()).toBeInstanceOf(TimeoutError);
  });

  it('a real failure after the deadline becomes the TimeoutError’s cause', async () => {
    const late = new Error('rollback failed');
    const [error] = await gather(
      [
        (signal) =>
          new Promise((_, reject) =>
            signal.addEventListener('abort', () => setTimeout(() => reject(late), 10)),
          ),
      ],
      { timeout: 10, returnExceptions: true },
    );
    expect(error).toBeInstanceOf(TimeoutError);
    await ticks(30);
    expect((error as Error).cause).toBe(late);
  });

  it('no timer is left behind: an operation that settles in time clears its deadline', async () => {
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    await gather([() => sleep(5, 1)], { timeout: 60_000 });
    await map([1, 2], (x) => x, { timeout: 60_000 });
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBe(before);
  });

  it('a sibling failure or the caller’s signal drops the deadline and aborts with the real reason', async () => {
    const probe = new Probe();
    const failure = new Error('boom');
    await expect(
      gather([probe.op(0, 300, 'a'), probe.op(1, 5, 'b', failure)], { timeout: 10_000 }),
    ).rejects.toBe(failure);
    await ticks(5);
    expect(probe.aborted.get(0)).toBeInstanceOf(AbortError);
  });

  it('map: a call that takes too long fails with a TimeoutError and its slot goes to the next item', async () => {
    const aborted: unknown[] = [];
    const results = await map(
      [300, 5, 5, 5],
      (ms, { signal }) =>
        sleep(ms, ms, signal).catch((reason) => {
          aborted.push(reason);
          throw reason;
        }),
      { concurrency: 1, timeout: 40, returnExceptions: true },
    );
    expect(results[0]).toBeInstanceOf(TimeoutError);
    expect(results.slice(1)).toEqual([5, 5, 5]);
    expect(aborted).toEqual([results[0]]);
  });

  it('map: by default the TimeoutError fails the map and aborts the other calls', async () => {
    const aborted: unknown[] = [];
    const run = map(
      [300, 300],
      (ms, { index, signal }) =>
        sleep(index === 0 ? ms : ms * 2, ms, signal).catch((reason) => {
          aborted.push(reason);
          throw reason;
        }),
      { timeout: 30 },
    );
    await expect(run).rejects.toBeInstanceOf(TimeoutError);
  });

  it('mapStream (ordered and not) and asCompleted take it too', async () => {
    for (const ordered of [true, false]) {
      const out: unknown[] = [];
      for await (const value of mapStream([200, 5], (ms, { signal }) => sleep(ms, ms, signal), {
        timeout: 40,
        returnExceptions: true,
        ordered,
      }))
        out.push(value instanceof TimeoutError ? 'timeout' : value);
      expect(out).toEqual(ordered ? ['timeout', 5] : [5, 'timeout']);
    }
    const records: string[] = [];
    for await (const r of asCompleted([(s) => sleep(200, 'slow', s), (s) => sleep(5, 'fast', s)], {
      timeout: 40,
      returnExceptions: true,
    }))
      records.push(r.status === 'fulfilled' ? String(r.value) : r.reason.name);
    expect(records).toEqual(['fast', 'TimeoutError']);
  });

  it('refuses a timeout that is not a number > 0 (Infinity means none), naming the option', async () => {
    for (const timeout of [0, -1, Number.NaN]) {
      expect(() => gather([() => 1], { timeout })).toThrow(RangeError);
      expect(() => map([1], (x) => x, { timeout })).toThrow(RangeError);
      expect(() => mapStream([1], (x) => x, { timeout })).toThrow(RangeError);
    }
    expect(() => gather([() => 1], { timeout: 0 })).toThrow(
      'The value of "options.timeout" is out of range. It must be a number of milliseconds > 0, or Infinity. Received 0',
    );
    try {
      gather([() => 1], { timeout: '5' as never });
    } catch (error) {
      expect(error).toBeInstanceOf(TypeError);
      expect((error as { code: string }).code).toBe('ERR_INVALID_ARG_TYPE');
    }
    expect(await gather([() => sleep(5, 1)], { timeout: Number.POSITIVE_INFINITY })).toEqual([1]);
  });

  it('a deadline above setTimeout’s 24.8-day limit does not fire early', async () => {
    const results = await gather([() => sleep(30, 'ok')], { timeout: 2 ** 31 + 1000 });
    expect(results).toEqual(['ok']);
  });
});
