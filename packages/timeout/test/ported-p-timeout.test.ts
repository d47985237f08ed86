// Ported from p-timeout's own test suite: github.com/sindresorhus/p-timeout, test.js at commit f9ced5e (7.0.0),
// MIT licence, Copyright (c) Sindre Sorhus. `pTimeout(promise, { milliseconds, ... })` is
// `withTimeout(milliseconds, op, { ... })` here; `delay` is a local timer promise.
//
// Differences, each a documented choice of @x/timeout (README "withTimeout" and "Errors"):
// - Bad `ms` throws synchronously (Node-core style, naming the argument): `TypeError` ERR_INVALID_ARG_TYPE for
//   a non-number, `RangeError` ERR_OUT_OF_RANGE for a negative number or NaN. p-timeout rejects with TypeError.
// - `message` is a string only (a non-string is a TypeError); p-timeout also takes an Error to reject with or
//   `false` to resolve undefined. Ours: `fallback` (a value, or a function of the TimeoutError) covers both.
// - Cancelling the work: p-timeout calls `.cancel()` of a PCancelable; ours aborts the signal handed to a
//   function operation (the ported test checks that instead).
// - Left out: `customTimers` (one deadline queue serves every withTimeout; no per-call timers to inject) and
//   `.clear()` on the returned promise (no counterpart: pass `ms = Infinity`, or a scope you `reschedule`).
// - The listener-cleanup tests spy on add/removeEventListener; ours keeps one listener per signal for all
//   operations (@x/internal onAbort), so the port asserts the observable result: no listener left after settling.
import { getEventListeners } from 'node:events';
import { TimeoutError, withTimeout } from '@x/timeout';
import { describe, expect, it } from 'vitest';

const fixture = Symbol('fixture');
const fixtureError = new Error('fixture');
const delay = <T = undefined>(ms: number, value?: T) =>
  new Promise<T>((resolve) => setTimeout(() => resolve(value as T), ms));

describe('p-timeout test.js, ported to withTimeout', () => {
  it('resolves before timeout', async () => {
    expect(await withTimeout(200, delay(50, fixture))).toBe(fixture);
  });

  it('throws when milliseconds is not number (synchronously, ERR_INVALID_ARG_TYPE)', () => {
    expect(() => withTimeout('200' as unknown as number, delay(50))).toThrow(
      expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }),
    );
  });

  it('throws when milliseconds is negative number (RangeError, ERR_OUT_OF_RANGE)', () => {
    expect(() => withTimeout(-1, delay(50))).toThrow(
      expect.objectContaining({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' }),
    );
  });

  it('throws when milliseconds is NaN (RangeError, ERR_OUT_OF_RANGE)', () => {
    expect(() => withTimeout(Number.NaN, delay(50))).toThrow(
      expect.objectContaining({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' }),
    );
  });

  it('handles milliseconds being `Infinity`', async () => {
    expect(await withTimeout(Number.POSITIVE_INFINITY, delay(50, fixture))).toBe(fixture);
  });

  it('rejects after timeout', async () => {
    await expect(withTimeout(50, delay(200))).rejects.toBeInstanceOf(TimeoutError);
  });

  it('resolves after timeout with a fallback of undefined (p-timeout: message: false)', async () => {
    expect(await withTimeout(50, delay(200, 'late'), { fallback: () => undefined })).toBeUndefined();
  });

  it('rejects before timeout if specified promise rejects', async () => {
    const rejectingPromise = async () => {
      await delay(50);
      throw fixtureError;
    };
    await expect(withTimeout(200, rejectingPromise())).rejects.toBe(fixtureError);
  });

  it('fallback argument: message, fallback that rejects, fallback that throws', async () => {
    await expect(withTimeout(50, delay(200), { message: 'rainbow' })).rejects.toMatchObject({
      name: 'TimeoutError',
      message: 'rainbow',
    });
    await expect(withTimeout(50, delay(200), { fallback: () => Promise.reject(fixtureError) })).rejects.toBe(
      fixtureError,
    );
    await expect(
      withTimeout(50, delay(200), {
        fallback() {
          throw new RangeError('cake');
        },
      }),
    ).rejects.toBeInstanceOf(RangeError);
  });

  it('refuses a non-string message with a coded TypeError (p-timeout accepts an Error to reject with)', () => {
    expect(() =>
      withTimeout(50, delay(200), { message: new RangeError('cake') as unknown as string }),
    ).toThrow(expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }));
  });

  it('cancels the work on timeout (p-timeout: calls `.cancel()` on a PCancelable)', async () => {
    let seen: AbortSignal | undefined;
    let finished = false;
    const op = async (signal: AbortSignal) => {
      seen = signal;
      await delay(200);
      finished = !signal.aborted;
    };
    await expect(withTimeout(50, op)).rejects.toBeInstanceOf(TimeoutError);
    expect(seen?.aborted).toBe(true);
    expect(seen?.reason).toBeInstanceOf(TimeoutError);
    await delay(200);
    expect(finished).toBe(false);
  });

  it('fallback resolves successfully', async () => {
    expect(await withTimeout(50, delay(200), { fallback: () => 'fallback result' })).toBe('fallback result');
  });

  it('rejects when calling `AbortController#abort()`', async () => {
    const abortController = new AbortController();
    const promise = withTimeout(2000, delay(3000), { signal: abortController.signal });
    abortController.abort();
    const error = await promise.catch((e: unknown) => e);
    expect((error as Error).name).toBe('AbortError');
    expect(error).toBeInstanceOf(DOMException);
  });

  it('already aborted signal', async () => {
    const abortController = new AbortController();
    abortController.abort();
    const error = await withTimeout(2000, delay(3000), { signal: abortController.signal }).catch(
      (e: unknown) => e,
    );
    expect((error as Error).name).toBe('AbortError');
    expect(error).toBeInstanceOf(DOMException);
  });

  it('aborts even if milliseconds are set to infinity', async () => {
    const abortController = new AbortController();
    abortController.abort();
    const error = await withTimeout(Number.POSITIVE_INFINITY, delay(3000), {
      signal: abortController.signal,
    }).catch((e: unknown) => e);
    expect((error as Error).name).toBe('AbortError');
    expect(error).toBeInstanceOf(DOMException);
  });

  const listenerCleanup = async (make: () => Promise<unknown>) => {
    const { signal } = new AbortController();
    const promise = withTimeout(100, make(), { signal });
    expect(getEventListeners(signal, 'abort')).toHaveLength(1);
    await promise.catch(() => undefined);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  };

  it('removes abort listener after promise settles', async () => {
    await listenerCleanup(() => delay(50));
  });

  it('removes abort listener after promise rejects', async () => {
    await listenerCleanup(async () => {
      await delay(50);
      throw new Error('Test error');
    });
  });

  it('preserves stack trace when promise rejects', async () => {
    const createRejectingPromise = async () => {
      await delay(1);
      throw new Error('test error for stack trace');
    };
    const wrapperFunction = async () => {
      await withTimeout(100, createRejectingPromise());
    };
    const error = (await wrapperFunction().catch((e: unknown) => e)) as Error;
    expect(error.message).toBe('test error for stack trace');
    expect(error.stack).toContain('wrapperFunction');
  });
});
