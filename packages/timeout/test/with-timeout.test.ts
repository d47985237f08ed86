import { getEventListeners } from 'node:events';
import { setTimeout as timerPromise } from 'node:timers/promises';
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import { queueStats } from '../src/deadline-queue.js';
import { TimeoutError, withTimeout } from '../src/index.js';
import { delay, slowTask, trapUnhandledRejections } from './helpers.js';

trapUnhandledRejections();

describe('withTimeout', () => {
  it('rejects at the deadline, aborts the task with that TimeoutError and the task stops (the seed: 10 s task, 3 s limit, scaled)', async () => {
    const task = slowTask(600);
    const t0 = performance.now();
    const error = await withTimeout(100, task.run).catch((e: unknown) => e);
    const elapsed = performance.now() - t0;

    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ name: 'TimeoutError', code: 'ERR_X_TIMEOUT', ms: 100 });
    expect((error as Error).message).toMatch(/timed out after 100 ms/);
    expect(elapsed).toBeGreaterThanOrEqual(99);
    expect(elapsed).toBeLessThan(450);
    expect(task.state.signal?.aborted).toBe(true);
    expect(task.state.signal?.reason).toBe(error);
    expect(task.state.timerCleared).toBe(true);
    await delay(650);
    expect(task.state.finished).toBe(false);
  });

  it('resolves with the value of a fast operation and drops its deadline', async () => {
    expect(await withTimeout(1000, async () => 42)).toBe(42);
    expect(await withTimeout(1000, Promise.resolve('p'))).toBe('p');
    expect(await withTimeout(1000, () => 'sync')).toBe('sync');
    expect(queueStats().pending).toBe(0);
  });

  it('rejects with the error of a failing operation, unchanged', async () => {
    const boom = new Error('boom');
    await expect(withTimeout(1000, async () => Promise.reject(boom))).rejects.toBe(boom);
    await expect(
      withTimeout(1000, () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(queueStats().pending).toBe(0);
  });

  it('does not abort the signal of an operation that finished in time', async () => {
    let seen: AbortSignal | undefined;
    await withTimeout(1000, async (signal) => {
      seen = signal;
      await delay(5);
      return 1;
    });
    expect(seen?.aborted).toBe(false);
  });

  it('names a named function operation in the message, and uses options.message when given', async () => {
    async function fetchUser(signal: AbortSignal) {
      await delay(300);
      signal.throwIfAborted();
    }
    await expect(withTimeout(20, fetchUser)).rejects.toThrow(/"fetchUser" timed out after 20 ms/);
    await expect(withTimeout(20, delay(300), { message: 'user API too slow' })).rejects.toThrow(
      /^user API too slow$/,
    );
  });

  it('times out a promise operation (which cannot be aborted) and ignores its later rejection', async () => {
    const late = delay(100).then(() => {
      throw new Error('late failure');
    });
    await expect(withTimeout(20, late)).rejects.toBeInstanceOf(TimeoutError);
    await delay(120); // the late rejection must not surface as unhandled
  });

  it('rejects with the error of a thenable whose then() throws, and drops its deadline', async () => {
    const broken = new Error('broken then');
    const thenable = {
      // biome-ignore lint/suspicious/noThenProperty: a deliberately broken thenable
      then() {
        throw broken;
      },
    };
    await expect(withTimeout(1000, thenable as PromiseLike<never>)).rejects.toBe(broken);
    expect(queueStats().pending).toBe(0);
  });

  describe('options.fallback', () => {
    it('resolves with a fallback value instead of rejecting, and still aborts the operation', async () => {
      const task = slowTask(500);
      expect(await withTimeout(20, task.run, { fallback: 'cached' })).toBe('cached');
      expect(task.state.signal?.aborted).toBe(true);
      expect(task.state.signal?.reason).toBeInstanceOf(TimeoutError);
    });

    it('calls a fallback function with the TimeoutError and resolves with its (async) result', async () => {
      const fallback = vi.fn(async (error: TimeoutError) => `fallback after ${error.ms}`);
      expect(await withTimeout(20, delay(300), { fallback })).toBe('fallback after 20');
      expect(fallback).toHaveBeenCalledTimes(1);
      expect(fallback.mock.calls[0]![0]).toBeInstanceOf(TimeoutError);
    });

    it('rejects with what a fallback function throws', async () => {
      const custom = new Error('custom');
      await expect(
        withTimeout(20, delay(300), {
          fallback: () => {
            throw custom;
          },
        }),
      ).rejects.toBe(custom);
    });

    it('is not used when the operation finishes in time', async () => {
      const fallback = vi.fn(() => 'no');
      expect(await withTimeout(500, async () => 'yes', { fallback })).toBe('yes');
      await delay(10);
      expect(fallback).not.toHaveBeenCalled();
    });
  });

  describe('options.signal', () => {
    it('rejects with the caller reason unchanged (identity) and aborts the operation with it', async () => {
      const controller = new AbortController();
      const reason = { why: 'user left' };
      const task = slowTask(500);
      const pending = withTimeout(1000, task.run, { signal: controller.signal });
      setTimeout(() => controller.abort(reason), 10);
      await expect(pending).rejects.toBe(reason);
      expect(task.state.signal?.reason).toBe(reason);
      expect(task.state.timerCleared).toBe(true);
      expect(queueStats().pending).toBe(0);
    });

    it('does not start a function operation when the signal is already aborted', async () => {
      const reason = new Error('already gone');
      const op = vi.fn(async () => 1);
      await expect(withTimeout(1000, op, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
      expect(op).not.toHaveBeenCalled();
    });

    it('notices a caller signal aborted by the operation itself while it started', async () => {
      const controller = new AbortController();
      const task = slowTask(500);
      const pending = withTimeout(
        1000,
        (signal) => {
          const running = task.run(signal);
          controller.abort('aborted from inside');
          return running;
        },
        { signal: controller.signal },
      );
      await expect(pending).rejects.toBe('aborted from inside');
      expect(task.state.timerCleared).toBe(true);
      expect(queueStats().pending).toBe(0);
    });

    it('removes its listener from the caller signal when the operation settles, times out or fails', async () => {
      const controller = new AbortController();
      const { signal } = controller;
      await withTimeout(1000, async () => 1, { signal });
      expect(getEventListeners(signal, 'abort')).toHaveLength(0);
      await withTimeout(10, delay(200), { signal }).catch(() => {});
      expect(getEventListeners(signal, 'abort')).toHaveLength(0);
      await withTimeout(1000, Promise.reject(new Error('x')), { signal }).catch(() => {});
      expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    });

    it('wins over a later deadline, and a deadline wins over a later caller abort', async () => {
      const early = new AbortController();
      setTimeout(() => early.abort('caller'), 10);
      await expect(withTimeout(500, delay(300), { signal: early.signal })).rejects.toBe('caller');
      const late = new AbortController();
      setTimeout(() => late.abort('caller'), 200);
      await expect(withTimeout(10, delay(300), { signal: late.signal })).rejects.toBeInstanceOf(TimeoutError);
    });
  });

  describe('ms = 0 and ms = Infinity', () => {
    it('ms = 0 lets an operation that is already done win', async () => {
      expect(await withTimeout(0, () => 'sync')).toBe('sync');
      expect(await withTimeout(0, Promise.resolve('resolved'))).toBe('resolved');
      expect(await withTimeout(0, async () => (await Promise.resolve(1)) + 1)).toBe(2);
    });

    it('ms = 0 times out anything that has to wait for a timer or I/O, aborting it', async () => {
      const task = slowTask(50);
      await expect(withTimeout(0, task.run)).rejects.toMatchObject({ name: 'TimeoutError', ms: 0 });
      expect(task.state.started).toBe(true);
      expect(task.state.timerCleared).toBe(true);
    });

    it('ms = Infinity never times out and schedules no deadline', async () => {
      const pending = withTimeout(Number.POSITIVE_INFINITY, async () => {
        await delay(30);
        return 'late but fine';
      });
      expect(queueStats().pending).toBe(0);
      expect(await pending).toBe('late but fine');
    });
  });

  it('shares one Node timer among many concurrent deadlines instead of one per operation', async () => {
    const spy = vi.spyOn(globalThis, 'setTimeout');
    try {
      const ops = Array.from({ length: 5000 }, (_, i) => withTimeout(2000, Promise.resolve(i)));
      const results = await Promise.all(ops);
      expect(results[4999]).toBe(4999);
      expect(spy.mock.calls.length).toBeLessThanOrEqual(2);
    } finally {
      spy.mockRestore();
    }
    expect(queueStats()).toMatchObject({ pending: 0, refs: 0 });
  });

  it('times out each of many concurrent slow operations', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) => withTimeout(20 + (i % 5), delay(400))),
    );
    expect(results.every((r) => r.status === 'rejected' && r.reason instanceof TimeoutError)).toBe(true);
    expect(queueStats().pending).toBe(0);
  });

  describe('bad input (thrown synchronously, before anything starts)', () => {
    const op = vi.fn(async () => 1);
    it.each([
      [-1, RangeError, /"ms" is out of range. It must be >= 0.*Received -1/],
      [Number.NaN, RangeError, /"ms" is out of range.*Received NaN/],
      [Number.NEGATIVE_INFINITY, RangeError, /"ms" is out of range/],
      ['100', TypeError, /The "ms" argument must be of type number. Received type string \('100'\)/],
      [undefined, TypeError, /The "ms" argument must be of type number. Received undefined/],
      [10n, TypeError, /Received type bigint \(10n\)/],
    ])('ms = %s throws %o', (ms, ErrorClass, message) => {
      expect(() => withTimeout(ms as number, op)).toThrow(ErrorClass);
      expect(() => withTimeout(ms as number, op)).toThrow(message);
      expect(() => withTimeout(ms as number, op)).toThrow(
        expect.objectContaining({
          code: ErrorClass === RangeError ? 'ERR_OUT_OF_RANGE' : 'ERR_INVALID_ARG_TYPE',
        }),
      );
      expect(op).not.toHaveBeenCalled();
    });

    it.each([
      [
        42,
        /The "op" argument must be a promise or a function \(signal\) => value. Received type number \(42\)/,
      ],
      [null, /"op" argument .* Received null/],
      [{}, /"op" argument .* Received an instance of Object/],
      ['fetch', /"op" argument .* Received type string \('fetch'\)/],
    ])('op = %o throws TypeError', (bad, message) => {
      expect(() => withTimeout(100, bad as never)).toThrow(TypeError);
      expect(() => withTimeout(100, bad as never)).toThrow(message);
      expect(() => withTimeout(100, bad as never)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
      );
    });

    it('rejects bad options, naming the property', () => {
      expect(() => withTimeout(100, op, null as never)).toThrow(
        /The "options" argument must be of type object/,
      );
      expect(() => withTimeout(100, op, 5 as never)).toThrow(TypeError);
      expect(() => withTimeout(100, op, { signal: 1 as never })).toThrow(
        'The "options.signal" property must be an instance of AbortSignal. Received type number (1)',
      );
      expect(() => withTimeout(100, op, { message: 7 as never })).toThrow(
        'The "options.message" property must be of type string. Received type number (7)',
      );
      expect(() => withTimeout(100, op, { signal: {} as never })).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
      );
      expect(op).not.toHaveBeenCalled();
    });
  });

  it("accepts a signal of another realm (checked by shape, like Node core's) and passes its reason through", async () => {
    // What a signal made by another copy of the platform (a vm context, a test environment) looks like here:
    // not `instanceof AbortSignal`, but the same shape.
    const target = new EventTarget();
    const foreign = {
      aborted: false,
      reason: undefined as unknown,
      addEventListener: target.addEventListener.bind(target),
      removeEventListener: target.removeEventListener.bind(target),
    };
    expect(foreign instanceof AbortSignal).toBe(false);
    const reason = new Error('caller gave up');
    const run = withTimeout(
      1000,
      (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
      { signal: foreign as unknown as AbortSignal },
    );
    setTimeout(() => {
      foreign.aborted = true;
      foreign.reason = reason;
      target.dispatchEvent(new Event('abort'));
    }, 10);
    await expect(run).rejects.toBe(reason);
  });

  it('keeps the caller’s async stack in the error of a failing operation (as Promise.race and p-timeout do)', async () => {
    async function failsLater() {
      await delay(1);
      throw new Error('query failed');
    }
    async function loadReport() {
      return await withTimeout(1000, failsLater);
    }
    const error = (await loadReport().catch((e: unknown) => e)) as Error;
    expect(error.message).toBe('query failed');
    // (Vitest maps stack frames through source maps and drops their `async` keyword.)
    expect(error.stack).toMatch(/at (async )?loadReport /);
    async function loadReportFromPromise() {
      return await withTimeout(1000, failsLater());
    }
    const fromPromise = (await loadReportFromPromise().catch((e: unknown) => e)) as Error;
    expect(fromPromise.stack).toMatch(/at (async )?loadReportFromPromise /);
  });

  describe('options.waitForStop', () => {
    it('settles only once the work has stopped, then rejects with the TimeoutError it was aborted with', async () => {
      const events: string[] = [];
      const error = await withTimeout(
        10,
        async (signal) => {
          await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
          await delay(30);
          events.push('stopped');
          throw signal.reason;
        },
        { waitForStop: true },
      ).catch((e: unknown) => {
        events.push('rejected');
        return e;
      });
      expect(events).toEqual(['stopped', 'rejected']);
      expect(error).toBeInstanceOf(TimeoutError);
      expect(queueStats().pending).toBe(0);
    });

    it('resolves with the fallback once the work has stopped', async () => {
      const task = slowTask(500);
      const fallback = vi.fn(() => 'cached');
      expect(await withTimeout(10, task.run, { waitForStop: true, fallback })).toBe('cached');
      expect(task.state.timerCleared).toBe(true);
      expect(fallback).toHaveBeenCalledTimes(1);
    });

    it('waits for the work after the caller aborts too, and removes its listener', async () => {
      const controller = new AbortController();
      const events: string[] = [];
      const pending = withTimeout(
        1000,
        async (signal) => {
          await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
          await delay(20);
          events.push('stopped');
          signal.throwIfAborted();
        },
        { signal: controller.signal, waitForStop: true },
      );
      controller.abort('caller left');
      await expect(pending.finally(() => events.push('rejected'))).rejects.toBe('caller left');
      expect(events).toEqual(['stopped', 'rejected']);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
      expect(queueStats().pending).toBe(0);
    });

    it('behaves like the default when the work settles in time', async () => {
      expect(await withTimeout(1000, async () => 7, { waitForStop: true })).toBe(7);
      const boom = new Error('boom');
      await expect(withTimeout(1000, async () => Promise.reject(boom), { waitForStop: true })).rejects.toBe(
        boom,
      );
      expect(queueStats().pending).toBe(0);
    });

    it('refuses a promise op (it cannot be stopped) and a non-boolean value, naming the option', () => {
      expect(() => withTimeout(10, delay(5), { waitForStop: true })).toThrow(
        /"options.waitForStop" property needs a function "op"/,
      );
      expect(() => withTimeout(10, async () => 1, { waitForStop: 1 as never })).toThrow(
        'The "options.waitForStop" property must be of type boolean. Received type number (1)',
      );
    });
  });

  describe('what the work does after the deadline (default: settled at the deadline)', () => {
    it('attaches a real failure after the deadline as the TimeoutError’s cause, also for a fallback', async () => {
      const late = new Error('cleanup failed');
      const failsLate = async (signal: AbortSignal) => {
        await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
        await delay(5);
        throw late;
      };
      const error = (await withTimeout(10, failsLate).catch((e: unknown) => e)) as TimeoutError;
      expect(error.cause).toBeUndefined(); // not yet: the work is still stopping
      await delay(40);
      expect(error.cause).toBe(late);
      let seen: TimeoutError | undefined;
      expect(
        await withTimeout(10, failsLate, {
          fallback: (e) => {
            seen = e;
            return 'fb';
          },
        }),
      ).toBe('fb');
      await delay(40);
      expect(seen?.cause).toBe(late);
    });

    it('attaches nothing when the work just stops (the TimeoutError itself, or an AbortError wrapping it)', async () => {
      const task = slowTask(500);
      const error = (await withTimeout(10, task.run).catch((e: unknown) => e)) as TimeoutError;
      const nodeTimer = (await withTimeout(10, (signal) => timerPromise(500, undefined, { signal })).catch(
        (e: unknown) => e,
      )) as TimeoutError;
      await delay(30);
      expect(task.state.timerCleared).toBe(true);
      expect('cause' in error).toBe(false);
      expect('cause' in nodeTimer).toBe(false);
    });
  });

  it('refuses unknown options, naming them', () => {
    expect(() => withTimeout(10, async () => 1, { fallbak: 1 } as never)).toThrow(
      expect.objectContaining({
        code: 'ERR_INVALID_ARG_VALUE',
        message: expect.stringContaining('The "options.fallbak" property is not a known option'),
      }),
    );
  });

  it('carries the operation and fallback types', () => {
    expectTypeOf(withTimeout(1, async () => 1)).toEqualTypeOf<Promise<number>>();
    expectTypeOf(withTimeout(1, Promise.resolve('s'))).toEqualTypeOf<Promise<string>>();
    expectTypeOf(withTimeout(1, async () => 1, { fallback: null })).toEqualTypeOf<Promise<number | null>>();
    expectTypeOf(withTimeout(1, async () => 1, { fallback: () => 'x' })).toEqualTypeOf<
      Promise<number | string>
    >();
  });
});
