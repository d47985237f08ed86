import { getEventListeners } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { queueStats } from '../src/deadline-queue.js';
import {
  AbortError,
  deadlineScope,
  InvalidStateError,
  TimeoutError,
  timeoutScope,
  withTimeout,
} from '../src/index.js';
import { delay, slowTask, trapUnhandledRejections } from './helpers.js';

trapUnhandledRejections();

const aborted = (signal: AbortSignal) =>
  new Promise<number>((resolve) => signal.addEventListener('abort', () => resolve(performance.now())));

describe('timeoutScope', () => {
  it('aborts its signal with a TimeoutError at the deadline and reports expired', async () => {
    const t0 = performance.now();
    using scope = timeoutScope(50);
    expect(scope.expired).toBe(false);
    expect(scope.signal.aborted).toBe(false);
    const at = await aborted(scope.signal);
    expect(at - t0).toBeGreaterThanOrEqual(49);
    expect(at - t0).toBeLessThan(400);
    expect(scope.expired).toBe(true);
    expect(scope.signal.reason).toBeInstanceOf(TimeoutError);
    expect(scope.signal.reason).toMatchObject({ code: 'ERR_X_TIMEOUT', ms: 50 });
  });

  it('reports its deadline in epoch milliseconds', () => {
    const before = Date.now();
    using scope = timeoutScope(1000);
    expect(scope.deadline).toBeGreaterThanOrEqual(before + 1000);
    expect(scope.deadline).toBeLessThanOrEqual(Date.now() + 1000);
    using forever = timeoutScope(Number.POSITIVE_INFINITY);
    expect(forever.deadline).toBe(Number.POSITIVE_INFINITY);
  });

  it('stops every operation handed its signal at one shared deadline (the dashboard case)', async () => {
    using scope = timeoutScope(60);
    const a = slowTask(400);
    const b = slowTask(400);
    const results = await Promise.allSettled([a.run(scope.signal), b.run(scope.signal)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(a.state.timerCleared && b.state.timerCleared).toBe(true);
    expect((results[0] as PromiseRejectedResult).reason).toBe(scope.signal.reason);
  });

  it('disposing (using / close) drops the deadline without aborting the signal', async () => {
    let signal: AbortSignal;
    {
      using scope = timeoutScope(30);
      signal = scope.signal;
    }
    await delay(80);
    expect(signal.aborted).toBe(false);
    expect(queueStats().pending).toBe(0);
  });

  describe('reschedule', () => {
    it('moves the deadline later', async () => {
      const t0 = performance.now();
      using scope = timeoutScope(30);
      scope.reschedule(150);
      const at = await aborted(scope.signal);
      expect(at - t0).toBeGreaterThanOrEqual(149);
      expect(scope.expired).toBe(true);
      expect(scope.signal.reason).toMatchObject({ ms: 150 });
    });

    it('moves the deadline earlier', async () => {
      const t0 = performance.now();
      using scope = timeoutScope(5000);
      scope.reschedule(30);
      const at = await aborted(scope.signal);
      expect(at - t0).toBeGreaterThanOrEqual(29);
      expect(at - t0).toBeLessThan(1000);
    });

    it('Infinity removes the deadline', async () => {
      using scope = timeoutScope(20);
      scope.reschedule(Number.POSITIVE_INFINITY);
      await delay(60);
      expect(scope.signal.aborted).toBe(false);
      expect(scope.deadline).toBe(Number.POSITIVE_INFINITY);
    });

    it('throws InvalidStateError after the scope expired or was closed', async () => {
      const scope = timeoutScope(5);
      await aborted(scope.signal);
      expect(() => scope.reschedule(100)).toThrow(InvalidStateError);
      expect(() => scope.reschedule(100)).toThrow(/has expired/);
      const closed = timeoutScope(100);
      closed.close();
      expect(() => closed.reschedule(100)).toThrow(/has been closed/);
      try {
        closed.reschedule(1);
      } catch (error) {
        expect(error).toMatchObject({ name: 'InvalidStateError', code: 'ERR_X_INVALID_STATE' });
      }
    });

    it('rejects a bad ms, naming it', () => {
      using scope = timeoutScope(100);
      expect(() => scope.reschedule(-5)).toThrow(RangeError);
      expect(() => scope.reschedule('5' as never)).toThrow(/The "ms" argument must be of type number/);
    });
  });

  describe('run', () => {
    it('resolves like the operation when it finishes in time', async () => {
      using scope = timeoutScope(500);
      expect(await scope.run(async (signal) => (signal === scope.signal ? 'same signal' : 'other'))).toBe(
        'same signal',
      );
      expect(await scope.run(Promise.resolve(7))).toBe(7);
    });

    it('rejects with the TimeoutError at the deadline and aborts the operation', async () => {
      using scope = timeoutScope(40);
      const task = slowTask(400);
      const error = await scope.run(task.run).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TimeoutError);
      expect(error).toBe(scope.signal.reason);
      expect(task.state.timerCleared).toBe(true);
    });

    it('rejects a promise operation at the deadline even though it cannot be stopped', async () => {
      using scope = timeoutScope(20);
      await expect(scope.run(delay(300))).rejects.toBeInstanceOf(TimeoutError);
    });

    it('closing the scope while a run is pending aborts it with AbortError', async () => {
      const scope = timeoutScope(1000);
      const task = slowTask(400);
      const pending = scope.run(task.run);
      scope.close();
      const error = await pending.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AbortError);
      expect(error).toMatchObject({ name: 'AbortError', code: 'ERR_X_ABORTED' });
      expect(task.state.timerCleared).toBe(true);
    });

    it('throws InvalidStateError after close, and does not start the operation', () => {
      const scope = timeoutScope(100);
      scope.close();
      const op = vi.fn(async () => 1);
      expect(() => scope.run(op)).toThrow(InvalidStateError);
      expect(op).not.toHaveBeenCalled();
    });

    it('does not start a function once the scope has expired', async () => {
      const scope = timeoutScope(5);
      await aborted(scope.signal);
      const op = vi.fn(async () => 1);
      await expect(scope.run(op)).rejects.toBeInstanceOf(TimeoutError);
      expect(op).not.toHaveBeenCalled();
    });

    it('removes its listener from the scope signal when the operation settles', async () => {
      using scope = timeoutScope(1000);
      await scope.run(async () => 1);
      await scope.run(Promise.reject(new Error('x'))).catch(() => {});
      expect(getEventListeners(scope.signal, 'abort')).toHaveLength(0);
    });

    it('rejects with the error of a thenable whose then() throws, and releases the scope', async () => {
      using scope = timeoutScope(1000);
      const broken = new Error('broken then');
      const thenable = {
        // biome-ignore lint/suspicious/noThenProperty: a deliberately broken thenable
        then: () => {
          throw broken;
        },
      };
      await expect(scope.run(thenable as PromiseLike<never>)).rejects.toBe(broken);
      expect(queueStats().refs).toBe(0);
      expect(getEventListeners(scope.signal, 'abort')).toHaveLength(0);
    });

    it('rejects a bad op with TypeError', () => {
      using scope = timeoutScope(100);
      expect(() => scope.run(3 as never)).toThrow(/The "op" argument must be a promise or a function/);
    });
  });

  describe('nesting (pass the outer signal as options.signal)', () => {
    it('an inner scope with a later deadline is cut short by the outer one, with the outer reason', async () => {
      const t0 = performance.now();
      using outer = timeoutScope(50);
      using inner = timeoutScope(5000, { signal: outer.signal });
      expect(inner.deadline).toBe(outer.deadline);
      const at = await aborted(inner.signal);
      expect(at - t0).toBeLessThan(1000);
      expect(inner.signal.reason).toBe(outer.signal.reason);
      expect(outer.expired).toBe(true);
      expect(inner.expired).toBe(false);
    });

    it('an inner scope with an earlier deadline expires first and leaves the outer one running', async () => {
      using outer = timeoutScope(5000);
      using inner = timeoutScope(30, { signal: outer.signal });
      expect(inner.deadline).toBeLessThan(outer.deadline);
      await aborted(inner.signal);
      expect(inner.expired).toBe(true);
      expect(outer.signal.aborted).toBe(false);
    });

    it('rescheduling the outer scope earlier cuts the inner one short', async () => {
      using outer = timeoutScope(5000);
      using inner = timeoutScope(5000, { signal: outer.signal });
      outer.reschedule(20);
      expect(inner.deadline).toBe(outer.deadline);
      await aborted(inner.signal);
      expect(inner.signal.reason).toBeInstanceOf(TimeoutError);
      expect(inner.signal.reason).toBe(outer.signal.reason);
    });

    it('three levels deep: the earliest deadline wins', async () => {
      using a = timeoutScope(5000);
      using b = timeoutScope(40, { signal: a.signal });
      using c = timeoutScope(3000, { signal: b.signal });
      expect(c.deadline).toBe(b.deadline);
      await aborted(c.signal);
      expect(b.expired).toBe(true);
      expect(c.signal.reason).toBe(b.signal.reason);
      expect(a.signal.aborted).toBe(false);
    });

    it('withTimeout nests under a scope through options.signal', async () => {
      using scope = timeoutScope(30);
      const task = slowTask(400);
      const error = await withTimeout(5000, task.run, { signal: scope.signal }).catch((e: unknown) => e);
      expect(error).toBe(scope.signal.reason);
      expect(task.state.signal?.reason).toBe(scope.signal.reason);
    });

    it('a scope nests under any AbortSignal and follows its reason unchanged', async () => {
      const controller = new AbortController();
      using scope = timeoutScope(5000, { signal: controller.signal });
      const reason = Symbol('stop');
      controller.abort(reason);
      expect(scope.signal.aborted).toBe(true);
      expect(scope.signal.reason).toBe(reason);
      expect(scope.expired).toBe(false);
      expect(() => scope.reschedule(10)).toThrow(/has aborted/);
    });

    it('starts aborted under an already aborted signal', () => {
      using scope = timeoutScope(5000, { signal: AbortSignal.abort('gone') });
      expect(scope.signal.aborted).toBe(true);
      expect(scope.signal.reason).toBe('gone');
    });

    it('closing the inner scope removes its listener from the outer signal', () => {
      const controller = new AbortController();
      const inner = timeoutScope(100, { signal: controller.signal });
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
      inner.close();
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    });
  });

  it('ms = 0 expires on the next turn of the event loop, not synchronously', async () => {
    using scope = timeoutScope(0);
    expect(scope.signal.aborted).toBe(false);
    await new Promise((resolve) => setImmediate(resolve));
    expect(scope.expired).toBe(true);
  });

  it('rejects bad input, naming the argument', () => {
    expect(() => timeoutScope(-1)).toThrow(RangeError);
    expect(() => timeoutScope(Number.NaN)).toThrow(/"ms" is out of range/);
    expect(() => timeoutScope(null as never)).toThrow(
      /The "ms" argument must be of type number. Received null/,
    );
    expect(() => timeoutScope(10, { signal: {} as never })).toThrow(
      /The "options.signal" property must be an instance of AbortSignal. Received an instance of Object/,
    );
    expect(() => timeoutScope(10, 'x' as never)).toThrow(/The "options" argument must be of type object/);
  });
});

describe('deadlineScope', () => {
  it('aborts at an absolute epoch time', async () => {
    const t0 = performance.now();
    const at = Date.now() + 60;
    using scope = deadlineScope(at);
    expect(scope.deadline).toBe(at);
    const fired = await aborted(scope.signal);
    expect(fired - t0).toBeGreaterThanOrEqual(55);
    expect(scope.expired).toBe(true);
    expect(scope.signal.reason).toBeInstanceOf(TimeoutError);
  });

  it('accepts a Date', async () => {
    const date = new Date(Date.now() + 20);
    using scope = deadlineScope(date);
    expect(scope.deadline).toBe(date.getTime());
    await aborted(scope.signal);
    expect(scope.expired).toBe(true);
  });

  it('a time in the past expires on the next turn of the event loop', async () => {
    using scope = deadlineScope(Date.now() - 1000);
    expect(scope.signal.aborted).toBe(false);
    await new Promise((resolve) => setImmediate(resolve));
    expect(scope.signal.aborted).toBe(true);
    expect(scope.signal.reason).toMatchObject({ ms: 0 });
  });

  it('Infinity means no deadline', async () => {
    using scope = deadlineScope(Number.POSITIVE_INFINITY);
    await delay(20);
    expect(scope.signal.aborted).toBe(false);
  });

  it('nests with timeoutScope: the earliest deadline wins', async () => {
    using outer = deadlineScope(Date.now() + 40);
    using inner = timeoutScope(5000, { signal: outer.signal });
    expect(inner.deadline).toBe(outer.deadline);
    await aborted(inner.signal);
    expect(inner.signal.reason).toBe(outer.signal.reason);
  });

  it('rejects bad input, naming the argument', () => {
    expect(() => deadlineScope('tomorrow' as never)).toThrow(TypeError);
    expect(() => deadlineScope('tomorrow' as never)).toThrow(
      /The "at" argument must be of type number \(epoch milliseconds\) or an instance of Date. Received type string/,
    );
    expect(() => deadlineScope(Number.NaN)).toThrow(RangeError);
    expect(() => deadlineScope(new Date('nope'))).toThrow(/"at" is out of range/);
    expect(() => deadlineScope(Date.now(), { signal: 'x' as never })).toThrow(/options.signal/);
  });
});
