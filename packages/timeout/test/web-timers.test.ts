import { afterEach, describe, expect, it, vi } from 'vitest';

// In a browser or an edge worker a timer is a plain number with no unref(), and there is no setImmediate. The
// deadline queue must still work there, and once no deadline is pending it must clear its timer instead of
// leaving it to fire (the conformance run checks the same in Chromium and an edge-style scope).

/** Web-style timers over Node's: numeric ids, no unref, and the set of ids still pending. */
function webTimers() {
  const real = { set: globalThis.setTimeout, clear: globalThis.clearTimeout };
  const handles = new Map<number, ReturnType<typeof setTimeout>>();
  let next = 1;
  vi.stubGlobal('setImmediate', undefined);
  vi.stubGlobal('setTimeout', (fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const id = next++;
    handles.set(
      id,
      real.set(() => {
        handles.delete(id);
        fn(...args);
      }, ms),
    );
    return id;
  });
  vi.stubGlobal('clearTimeout', (id: number) => {
    real.clear(handles.get(id));
    handles.delete(id);
  });
  return { pending: () => handles.size, wait: (ms: number) => new Promise((r) => real.set(r, ms)) };
}

async function loadTimeout() {
  vi.resetModules();
  const [api, queue] = await Promise.all([import('../src/index.ts'), import('../src/deadline-queue.ts')]);
  return { ...api, queueStats: queue.queueStats };
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('without setImmediate and unref (browsers, edge workers)', () => {
  it('clears its idle timer once the last deadline is done: withTimeout, a closed scope, an aborted sleep', async () => {
    const timers = webTimers();
    const { withTimeout, timeoutScope, sleep, queueStats } = await loadTimeout();
    await expect(withTimeout(10_000, () => Promise.resolve('fast'))).resolves.toBe('fast');
    timeoutScope(5000).close();
    const controller = new AbortController();
    const slept = sleep(60_000, { signal: controller.signal }).catch(() => 'aborted');
    controller.abort();
    await expect(slept).resolves.toBe('aborted');
    await timers.wait(10);
    expect(queueStats()).toMatchObject({ pending: 0, timerArmed: false });
    expect(timers.pending()).toBe(0);
  });

  it('still expires deadlines, including 0 ms ones on a later turn', async () => {
    webTimers();
    const { withTimeout, TimeoutError } = await loadTimeout();
    await expect(withTimeout(20, () => new Promise(() => {}))).rejects.toBeInstanceOf(TimeoutError);
    let settled = false;
    const zero = withTimeout(0, () => new Promise(() => {})).catch((e: unknown) => {
      settled = true;
      return e;
    });
    await Promise.resolve();
    expect(settled).toBe(false);
    await expect(zero).resolves.toBeInstanceOf(TimeoutError);
  });

  it('keeps a pending deadline armed while other deadlines come and go', async () => {
    const timers = webTimers();
    const { withTimeout, timeoutScope, queueStats } = await loadTimeout();
    const scope = timeoutScope(5000);
    await withTimeout(10_000, () => Promise.resolve(1));
    await timers.wait(10);
    expect(queueStats()).toMatchObject({ pending: 1, timerArmed: true });
    scope.close();
    await timers.wait(10);
    expect(timers.pending()).toBe(0);
  });
});
