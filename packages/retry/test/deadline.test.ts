import { TimeoutError as ScopeTimeoutError, timeoutScope, withTimeout } from '@x/timeout';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { trapUnhandledRejections } from '../../../scripts/test-support/waiters.js';
import { retry, TimeoutError } from '../src/index.js';

trapUnhandledRejections();

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(async () => {
  // Let @x/timeout's shared timer fire on the fake clock before the real one is back, so no test leaves it armed.
  await vi.runAllTimersAsync();
  vi.useRealTimers();
});

/** Fails every attempt with a fresh error, recording when (fake clock) each attempt started. */
function alwaysFailing() {
  const starts: number[] = [];
  const errors: Error[] = [];
  const op = async () => {
    starts.push(Math.round(performance.now() - t0));
    const error = new Error(`failure ${starts.length}`);
    errors.push(error);
    throw error;
  };
  let t0 = performance.now();
  return { op, starts, errors, reset: () => (t0 = performance.now()) };
}

/** Settles `promise` on the fake clock and says when (ms after `t0`) it settled and with what. */
async function settle<T>(promise: Promise<T>, t0: number, step = 1) {
  let outcome: { at: number; value?: T; error?: unknown } | undefined;
  promise.then(
    (value) => (outcome = { at: Math.round(performance.now() - t0), value }),
    (error) => (outcome = { at: Math.round(performance.now() - t0), error }),
  );
  while (outcome === undefined) await vi.advanceTimersByTimeAsync(step);
  return outcome;
}

const exact = { jitter: false, retries: 10 } as const;

describe('within a deadline (the signal carries Symbol.for("@x/deadline"))', () => {
  it('refuses a delay that would end past the deadline: fails then, with a TimeoutError, instead of sleeping into it', async () => {
    const t0 = performance.now();
    const { op, starts, errors } = alwaysFailing();
    using scope = timeoutScope(1000);
    // Delays 300, 600, then 1200: the third would end at 2100, past the deadline at 1000.
    const outcome = await settle(retry(op, { ...exact, minDelay: 300, signal: scope.signal }), t0);
    expect(starts).toEqual([0, 300, 900]);
    expect(outcome.at).toBe(900);
    expect(scope.signal.aborted).toBe(false); // it did not wait for the scope to fire
    const error = outcome.error as TimeoutError;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toBeInstanceOf(ScopeTimeoutError); // one identity with @x/timeout's
    expect(error.code).toBe('ERR_X_TIMEOUT');
    expect(error.ms).toBe(1000);
    expect(error.cause).toBe(errors[2]);
    expect(error.errors).toEqual(errors);
    expect(error.message).toMatch(/next delay of 1200 ms would end past the deadline .*100 ms left/);
  });

  it("its TimeoutError and @x/timeout's are one class, both ways", () => {
    expect(new ScopeTimeoutError(5)).toBeInstanceOf(TimeoutError);
    expect(new TimeoutError(5, 'refused', [])).toBeInstanceOf(ScopeTimeoutError);
    expect(new Error('x')).not.toBeInstanceOf(TimeoutError);
  });

  it('without a deadline the same retry sleeps the full 1200 ms (the refusal above is the deadline at work)', async () => {
    const t0 = performance.now();
    const { op, starts } = alwaysFailing();
    const controller = new AbortController();
    await settle(retry(op, { ...exact, retries: 3, minDelay: 300, signal: controller.signal }), t0, 50);
    expect(starts).toEqual([0, 300, 900, 2100]);
  });

  it('refuses a delay that would end exactly at the deadline (no time would be left for the attempt)', async () => {
    const t0 = performance.now();
    const { op, starts } = alwaysFailing();
    using scope = timeoutScope(500);
    const outcome = await settle(retry(op, { ...exact, minDelay: 500, signal: scope.signal }), t0);
    expect(starts).toEqual([0]);
    expect(outcome.at).toBe(0);
    expect(outcome.error).toBeInstanceOf(TimeoutError);
    expect(outcome.error).not.toBe(scope.signal.reason);
  });

  it('does not start an attempt once the deadline has passed, even before the scope fires', async () => {
    let calls = 0;
    using scope = timeoutScope(0);
    const error = await retry(
      () => {
        calls++;
        return 1;
      },
      { signal: scope.signal },
    ).catch((e) => e);
    expect(calls).toBe(0);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.cause).toBeUndefined();
    expect(error.errors).toEqual([]);
  });

  it('reads the deadline afresh: a scope rescheduled during the attempts gives the retries more room', async () => {
    const t0 = performance.now();
    using scope = timeoutScope(500);
    let attempts = 0;
    const outcome = await settle(
      retry(
        () => {
          if (++attempts === 1) {
            scope.reschedule(5000);
            throw new Error('first');
          }
          return 'second';
        },
        { ...exact, minDelay: 800, signal: scope.signal },
      ),
      t0,
    );
    expect(outcome).toEqual({ at: 800, value: 'second' });
  });

  it("learns withTimeout's deadline from the signal withTimeout hands its operation", async () => {
    const t0 = performance.now();
    const { op, starts, errors } = alwaysFailing();
    const outcome = await settle(
      withTimeout(1000, (signal) => retry(op, { ...exact, minDelay: 600, signal })),
      t0,
    );
    // 600 fits; the next 1200 would not, so it fails at 600 rather than at the 1000 ms timeout.
    expect(starts).toEqual([0, 600]);
    expect(outcome.at).toBe(600);
    expect(outcome.error).toBeInstanceOf(ScopeTimeoutError);
    expect((outcome.error as TimeoutError).cause).toBe(errors[1]);
  });

  it('takes the earliest deadline of nested scopes and of withTimeout inside a scope', async () => {
    const t0 = performance.now();
    using outer = timeoutScope(1000);
    using inner = timeoutScope(60_000, { signal: outer.signal });
    const a = alwaysFailing();
    const first = await settle(retry(a.op, { ...exact, minDelay: 600, signal: inner.signal }), t0);
    expect(first.at).toBe(600);

    const t1 = performance.now();
    using scope = timeoutScope(1000);
    const b = alwaysFailing();
    b.reset();
    const second = await settle(
      withTimeout(60_000, (signal) => retry(b.op, { ...exact, minDelay: 600, signal }), {
        signal: scope.signal,
      }),
      t1,
    );
    expect(second.at).toBe(600);
    expect(second.error).toBeInstanceOf(TimeoutError);
  });

  it('a signal you make yourself can carry a deadline too (no @x/timeout needed)', async () => {
    const t0 = performance.now();
    const controller = new AbortController();
    Object.assign(controller.signal, { [Symbol.for('@x/deadline')]: performance.now() + 700 });
    const { op, starts } = alwaysFailing();
    const outcome = await settle(retry(op, { ...exact, minDelay: 400, signal: controller.signal }), t0);
    expect(starts).toEqual([0, 400]);
    expect(outcome.error).toBeInstanceOf(TimeoutError);
  });

  it('ignores a deadline that is not a number', async () => {
    const controller = new AbortController();
    Object.assign(controller.signal, { [Symbol.for('@x/deadline')]: 'soon' });
    let n = 0;
    const pending = retry(
      () => {
        if (++n < 3) throw new Error('again');
        return n;
      },
      { ...exact, minDelay: 10, signal: controller.signal },
    );
    await vi.advanceTimersByTimeAsync(100);
    await expect(pending).resolves.toBe(3);
  });

  it('a signal combined with AbortSignal.any carries no deadline: retry sleeps until the scope fires, then rejects with its TimeoutError', async () => {
    const t0 = performance.now();
    using scope = timeoutScope(1000);
    const combined = AbortSignal.any([scope.signal, new AbortController().signal]);
    const { op, starts } = alwaysFailing();
    const outcome = await settle(retry(op, { ...exact, minDelay: 600, signal: combined }), t0);
    expect(starts).toEqual([0, 600]);
    expect(outcome.at).toBeGreaterThanOrEqual(1000);
    expect(outcome.error).toBe(scope.signal.reason);
  });

  it("does not retry the caller's own deadline: the scope's TimeoutError ends it, unchanged", async () => {
    const t0 = performance.now();
    using scope = timeoutScope(1000);
    let attempts = 0;
    const outcome = await settle(
      retry(
        (signal) =>
          new Promise((_, reject) => {
            attempts++;
            signal.addEventListener('abort', () => reject(signal.reason), { once: true });
          }),
        { ...exact, minDelay: 1, signal: scope.signal },
      ),
      t0,
    );
    expect(attempts).toBe(1);
    expect(outcome.error).toBe(scope.signal.reason);
    expect(outcome.error).toBeInstanceOf(ScopeTimeoutError);
  });

  it("retries an attempt's own timeout (an inner withTimeout), within the outer deadline", async () => {
    const t0 = performance.now();
    using scope = timeoutScope(10_000);
    let attempts = 0;
    const outcome = await settle(
      retry(
        (signal) =>
          withTimeout(
            100,
            (inner) =>
              new Promise((resolve, reject) => {
                attempts++;
                if (attempts === 3) resolve('third time');
                inner.addEventListener('abort', () => reject(inner.reason), { once: true });
              }),
            { signal },
          ),
        { ...exact, minDelay: 50, signal: scope.signal },
      ),
      t0,
    );
    expect(outcome.value).toBe('third time');
    expect(attempts).toBe(3);
  });
});
