import { afterEach, describe, expect, it, vi } from 'vitest';
import { sleep, TimeoutError, timeoutScope, withTimeout } from '../src/index.js';
import { trapUnhandledRejections } from './helpers.js';

trapUnhandledRejections();

afterEach(() => {
  vi.useRealTimers();
});

describe('with Vitest fake timers (which fake performance.now by default)', () => {
  it('withTimeout times out when the fake clock passes the deadline, not before', async () => {
    vi.useFakeTimers();
    let outcome: unknown = 'pending';
    const pending = withTimeout(10_000, new Promise(() => {})).catch((e: unknown) => (outcome = e));
    await vi.advanceTimersByTimeAsync(9_990);
    expect(outcome).toBe('pending');
    await vi.advanceTimersByTimeAsync(40);
    await pending;
    expect(outcome).toBeInstanceOf(TimeoutError);
  });

  it('sleep and scopes follow the fake clock', async () => {
    vi.useFakeTimers();
    let slept = false;
    void sleep(60_000).then(() => (slept = true));
    const scope = timeoutScope(30_000);
    await vi.advanceTimersByTimeAsync(30_020);
    expect(scope.expired).toBe(true);
    expect(slept).toBe(false);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(slept).toBe(true);
  });
});
