import { afterEach, describe, expect, it, vi } from 'vitest';
import { abortListenerCount, trapUnhandledRejections } from '../../../scripts/test-support/waiters.js';
import { retry } from '../src/index.js';

trapUnhandledRejections();

afterEach(() => {
  vi.useRealTimers();
});

const failing = () => Promise.reject(new Error('down'));

/** An attempt that runs until its signal aborts, then rejects with the reason (as fetch does). */
function untilAborted() {
  const seen: AbortSignal[] = [];
  const op = (signal: AbortSignal) =>
    new Promise<never>((_, reject) => {
      seen.push(signal);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  return { op, seen };
}

describe('aborting the signal', () => {
  it('during a delay: rejects at once with the reason, drops the timer and starts no attempt', async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    let attempts = 0;
    const pending = retry(
      () => {
        attempts++;
        return failing();
      },
      { signal: controller.signal, minDelay: 60_000, jitter: false },
    );
    const outcome = pending.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10);
    expect(vi.getTimerCount()).toBe(1); // the 60 s delay
    const reason = new Error('caller gave up');
    controller.abort(reason);
    await vi.advanceTimersByTimeAsync(0);
    expect(await outcome).toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(attempts).toBe(1);
    expect(abortListenerCount(controller.signal)).toBe(0);
  });

  it('during an attempt: the attempt signal is aborted with the reason at once, and no retry follows', async () => {
    const controller = new AbortController();
    const { op, seen } = untilAborted();
    const pending = retry(op, { signal: controller.signal, minDelay: 0 });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.aborted).toBe(false);
    const reason = new Error('stop');
    controller.abort(reason);
    expect(seen[0]!.aborted).toBe(true);
    expect(seen[0]!.reason).toBe(reason);
    await expect(pending).rejects.toBe(reason);
    expect(seen).toHaveLength(1);
  });

  it('during an attempt that fails with something else while stopping: still rejects with the reason', async () => {
    const controller = new AbortController();
    const pending = retry(
      (signal) =>
        new Promise((_, reject) => {
          signal.addEventListener('abort', () => reject(new Error('connection reset')), { once: true });
        }),
      { signal: controller.signal, minDelay: 0 },
    );
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it('before the call: rejects with the reason and never calls the operation', async () => {
    const reason = new Error('already');
    let calls = 0;
    await expect(
      retry(
        () => {
          calls++;
          return 1;
        },
        { signal: AbortSignal.abort(reason) },
      ),
    ).rejects.toBe(reason);
    expect(calls).toBe(0);
  });

  it('an attempt that ignores its signal is awaited; its value still counts', async () => {
    const controller = new AbortController();
    let finish!: (v: string) => void;
    const pending = retry(() => new Promise<string>((r) => (finish = r)), { signal: controller.signal });
    controller.abort(new Error('late'));
    finish('done anyway');
    await expect(pending).resolves.toBe('done anyway');
  });

  it('leaves no listener on the caller signal and no timer behind, whichever way it ends', async () => {
    const controller = new AbortController();
    let n = 0;
    await retry(
      () => {
        if (++n < 3) throw new Error('again');
        return n;
      },
      { signal: controller.signal, minDelay: 1 },
    );
    await expect(retry(failing, { signal: controller.signal, minDelay: 1, retries: 2 })).rejects.toThrow();
    expect(abortListenerCount(controller.signal)).toBe(0);
  });

  it('with AbortSignal.timeout, stops at that time with its TimeoutError (no deadline is known in advance)', async () => {
    const signal = AbortSignal.timeout(30);
    const error = await retry(failing, { signal, minDelay: 10_000, retries: 5 }).catch((e) => e);
    expect(error).toBe(signal.reason);
    expect(error.name).toBe('TimeoutError');
  });
});
