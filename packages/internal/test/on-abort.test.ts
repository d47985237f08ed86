import { getEventListeners } from 'node:events';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { onAbort } from '../src/index.ts';

/** How many real `abort` listeners the signal holds. */
const listeners = (signal: AbortSignal) => getEventListeners(signal, 'abort').length;

/** Warnings Node emits while `fn` runs (they are emitted on a later tick, so wait for one). */
async function warningsDuring(fn: () => void): Promise<string[]> {
  const seen: string[] = [];
  const onWarning = (warning: Error) => seen.push(warning.name);
  process.on('warning', onWarning);
  try {
    fn();
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', onWarning);
  }
  return seen;
}

function exposeGc(): () => void {
  if (typeof (globalThis as { gc?: unknown }).gc !== 'function') v8.setFlagsFromString('--expose-gc');
  return ((globalThis as { gc?: () => void }).gc ?? vm.runInNewContext('gc')) as () => void;
}

/** Collects garbage after the current job ends (WeakRefs created in this job are held until then). */
async function collect(): Promise<void> {
  const gc = exposeGc();
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('onAbort', () => {
  it('calls every listener once, in subscription order, with the reason', () => {
    const controller = new AbortController();
    const calls: Array<[string, unknown]> = [];
    onAbort(controller.signal, (reason) => calls.push(['a', reason]));
    onAbort(controller.signal, { handleAbort: (reason) => calls.push(['b', reason]) });
    onAbort(controller.signal, (reason) => calls.push(['c', reason]));
    const reason = new Error('stop');
    controller.abort(reason);
    controller.abort(new Error('again'));
    expect(calls).toEqual([
      ['a', reason],
      ['b', reason],
      ['c', reason],
    ]);
  });

  it('does not call a listener that was unsubscribed; unsubscribe is idempotent and a no-op after the call', () => {
    const controller = new AbortController();
    const calls: string[] = [];
    const a = onAbort(controller.signal, () => calls.push('a'));
    const b = onAbort(controller.signal, () => calls.push('b'));
    const c = onAbort(controller.signal, () => calls.push('c'));
    b.unsubscribe();
    b.unsubscribe();
    controller.abort();
    a.unsubscribe();
    c.unsubscribe();
    expect(calls).toEqual(['a', 'c']);
  });

  it('never calls a listener given an already-aborted signal, like addEventListener', () => {
    const signal = AbortSignal.abort(new Error('before'));
    const listener = vi.fn();
    const subscription = onAbort(signal, listener);
    signal.dispatchEvent(new Event('abort'));
    subscription.unsubscribe();
    expect(listener).not.toHaveBeenCalled();
    expect(listeners(signal)).toBe(0);
  });

  it('keeps one real listener on the signal however many subscribe, and none once all have left', () => {
    const controller = new AbortController();
    expect(listeners(controller.signal)).toBe(0);
    const subs = Array.from({ length: 50 }, () => onAbort(controller.signal, () => {}));
    expect(listeners(controller.signal)).toBe(1);
    for (const sub of subs.slice(0, 49)) sub.unsubscribe();
    expect(listeners(controller.signal)).toBe(1);
    subs[49]!.unsubscribe();
    expect(listeners(controller.signal)).toBe(0);
    // Subscribing again after the list emptied works (a new real listener).
    const listener = vi.fn();
    onAbort(controller.signal, listener);
    expect(listeners(controller.signal)).toBe(1);
    controller.abort();
    expect(listener).toHaveBeenCalledOnce();
    expect(listeners(controller.signal)).toBe(0);
  });

  it('does not trigger MaxListenersExceededWarning with 1,000 subscriptions on one signal', async () => {
    const controller = new AbortController();
    // Control: the same number of raw listeners does warn, so the check below can fail.
    const raw = new AbortController();
    const rawWarnings = await warningsDuring(() => {
      for (let i = 0; i < 20; i++) raw.signal.addEventListener('abort', () => {});
    });
    expect(rawWarnings).toContain('MaxListenersExceededWarning');
    const warnings = await warningsDuring(() => {
      for (let i = 0; i < 1000; i++) onAbort(controller.signal, () => {});
    });
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });

  it('does not call a listener subscribed while the signal dispatches, nor one unsubscribed before its turn', () => {
    const controller = new AbortController();
    const calls: string[] = [];
    const late = vi.fn();
    let c: { unsubscribe(): void } | undefined;
    onAbort(controller.signal, () => {
      calls.push('a');
      onAbort(controller.signal, late);
      c?.unsubscribe();
    });
    const b = onAbort(controller.signal, () => {
      calls.push('b');
      b.unsubscribe(); // itself, while running: harmless
    });
    c = onAbort(controller.signal, () => calls.push('c'));
    onAbort(controller.signal, () => calls.push('d'));
    controller.abort();
    expect(calls).toEqual(['a', 'b', 'd']);
    expect(late).not.toHaveBeenCalled();
  });

  it('reports a throwing listener as uncaught and still calls the others', () => {
    const reported: Array<() => void> = [];
    vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((fn) => void reported.push(fn));
    const controller = new AbortController();
    const boom = new Error('listener failed');
    const after = vi.fn();
    onAbort(controller.signal, () => {
      throw boom;
    });
    onAbort(controller.signal, after);
    controller.abort();
    expect(after).toHaveBeenCalledOnce();
    expect(reported).toHaveLength(1);
    expect(() => reported[0]!()).toThrow(boom);
  });

  it('works with a signal of another realm (same shape, not instanceof AbortSignal)', () => {
    const target = new EventTarget();
    const foreign = {
      aborted: false,
      reason: undefined as unknown,
      addEventListener: target.addEventListener.bind(target),
      removeEventListener: target.removeEventListener.bind(target),
    };
    const signal = foreign as unknown as AbortSignal;
    const calls: unknown[] = [];
    onAbort(signal, (reason) => calls.push(['a', reason]));
    const b = onAbort(signal, (reason) => calls.push(['b', reason]));
    onAbort(signal, (reason) => calls.push(['c', reason]));
    b.unsubscribe();
    const reason = new Error('foreign');
    foreign.aborted = true;
    foreign.reason = reason;
    target.dispatchEvent(new Event('abort'));
    expect(calls).toEqual([
      ['a', reason],
      ['c', reason],
    ]);
  });

  it('works when two bundled copies of the mechanism listen to one signal: one real listener each', async () => {
    // A second instance of the module, as a second package's bundle would carry.
    const specifier = '../src/on-abort.ts?second-copy';
    const copy = (await import(/* @vite-ignore */ specifier)) as typeof import('../src/on-abort.ts');
    expect(copy.onAbort).not.toBe(onAbort);
    const controller = new AbortController();
    const calls: string[] = [];
    onAbort(controller.signal, () => calls.push('first 1'));
    copy.onAbort(controller.signal, () => calls.push('second 1'));
    const gone = onAbort(controller.signal, () => calls.push('first gone'));
    onAbort(controller.signal, () => calls.push('first 2'));
    copy.onAbort(controller.signal, () => calls.push('second 2'));
    expect(listeners(controller.signal)).toBe(2);
    gone.unsubscribe();
    controller.abort();
    // Each copy keeps its own order; the copies run in the order their real listeners were added.
    expect(calls).toEqual(['first 1', 'first 2', 'second 1', 'second 2']);
  });

  it('keeps neither an unsubscribed listener nor a dropped signal alive', async () => {
    const controller = new AbortController();
    let listener: (() => void) | undefined = () => {};
    const listenerRef = new WeakRef(listener);
    const subscription = onAbort(controller.signal, listener);
    onAbort(controller.signal, () => {}); // the signal keeps a live subscription
    subscription.unsubscribe();
    listener = undefined;
    // A signal that still has a subscription, once nothing else refers to it, is collectable too.
    let dropped: AbortController | undefined = new AbortController();
    onAbort(dropped.signal, () => {});
    const droppedRef = new WeakRef(dropped.signal);
    dropped = undefined;
    await collect();
    expect(listenerRef.deref()).toBeUndefined();
    expect(droppedRef.deref()).toBeUndefined();
    // The subscription object its owner may keep holds nothing either.
    expect(subscription).not.toHaveProperty('listener', expect.anything());
  });

  it('lets AbortSignal.timeout() signals be collected once every subscription left', async () => {
    // Node keeps a timeout signal alive while it has abort listeners; we must give ours back.
    let signal: AbortSignal | undefined = AbortSignal.timeout(3_600_000);
    const ref = new WeakRef(signal);
    const subs = Array.from({ length: 3 }, () => onAbort(signal!, () => {}));
    for (const sub of subs) sub.unsubscribe();
    signal = undefined;
    await collect();
    expect(ref.deref()).toBeUndefined();
  });

  it('costs O(1) per subscribe and unsubscribe: 200,000 on one signal, removed in scattered order, in well under 2 s', () => {
    // With one addEventListener per subscription, removing 16,000 takes ~1.8 s here and grows with n².
    const controller = new AbortController();
    const n = 200_000;
    const t0 = performance.now();
    const subs = new Array<{ unsubscribe(): void }>(n);
    for (let i = 0; i < n; i++) subs[i] = onAbort(controller.signal, () => {});
    // Middle-out, then the rest: neither FIFO nor LIFO.
    for (let i = 1; i < n; i += 2) subs[i]!.unsubscribe();
    for (let i = 0; i < n; i += 2) subs[i]!.unsubscribe();
    const ms = performance.now() - t0;
    expect(listeners(controller.signal)).toBe(0);
    expect(ms).toBeLessThan(2000);
  });
});
