import { afterEach, describe, expect, it, vi } from 'vitest';
import { deadlineScope, timeoutScope, withTimeout } from '../src/index.js';
import { trapUnhandledRejections } from './helpers.js';

trapUnhandledRejections();

afterEach(async () => {
  if (vi.isFakeTimers()) await vi.runAllTimersAsync();
  vi.useRealTimers();
});

/** The cross-package key other packages (@x/retry) read a signal's deadline from, on the performance.now() clock. */
const DEADLINE = Symbol.for('@x/deadline');
const deadlineOf = (signal: AbortSignal) => (signal as unknown as Record<symbol, unknown>)[DEADLINE];

describe('the Symbol.for("@x/deadline") convention', () => {
  it("a scope's signal carries its deadline on the performance.now() clock", () => {
    vi.useFakeTimers();
    const before = performance.now();
    using scope = timeoutScope(1500);
    expect(deadlineOf(scope.signal)).toBe(before + 1500);
    using at = deadlineScope(Date.now() + 400);
    expect(deadlineOf(at.signal)).toBe(before + 400);
  });

  it('follows reschedule(), and the earliest of nested scopes', () => {
    vi.useFakeTimers();
    const t0 = performance.now();
    using outer = timeoutScope(1000);
    using inner = timeoutScope(5000, { signal: outer.signal });
    expect(deadlineOf(inner.signal)).toBe(t0 + 1000);
    outer.reschedule(8000);
    expect(deadlineOf(inner.signal)).toBe(t0 + 5000);
    inner.reschedule(Number.POSITIVE_INFINITY);
    expect(deadlineOf(inner.signal)).toBe(t0 + 8000);
    outer.reschedule(Number.POSITIVE_INFINITY);
    expect(deadlineOf(inner.signal)).toBe(Number.POSITIVE_INFINITY);
  });

  it('is set on the signal withTimeout hands a function, with the earlier deadline of options.signal', async () => {
    vi.useFakeTimers();
    const t0 = performance.now();
    let seen: unknown;
    await withTimeout(2000, (signal) => {
      seen = deadlineOf(signal);
      return 1;
    });
    expect(seen).toBe(t0 + 2000);
    using scope = timeoutScope(300);
    await withTimeout(
      2000,
      (signal) => {
        seen = deadlineOf(signal);
        return 1;
      },
      { signal: scope.signal },
    );
    expect(seen).toBe(t0 + 300);
    await withTimeout(Number.POSITIVE_INFINITY, (signal) => {
      seen = deadlineOf(signal);
      return 1;
    });
    expect(seen).toBeUndefined();
  });

  it("a scope inside withTimeout's operation (or under any signal that carries one) reports the earlier deadline", async () => {
    vi.useFakeTimers();
    const t0 = performance.now();
    let seen: unknown;
    await withTimeout(300, (signal) => {
      using scope = timeoutScope(5000, { signal });
      seen = deadlineOf(scope.signal);
      return 1;
    });
    expect(seen).toBe(t0 + 300);
    const handMade = new AbortController();
    Object.assign(handMade.signal, { [DEADLINE]: t0 + 50 });
    using scope = timeoutScope(5000, { signal: handMade.signal });
    expect(deadlineOf(scope.signal)).toBe(t0 + 50);
  });

  it('is not carried by a signal combined with AbortSignal.any (documented: it copies no properties)', () => {
    using scope = timeoutScope(1000);
    const combined = AbortSignal.any([scope.signal]);
    expect(deadlineOf(combined)).toBeUndefined();
  });
});
