import { describe, expect, it } from 'vitest';
import { AbortError, wait } from '../src/index.js';
import { abortListeners, Probe, sleep, ticks, trapUnhandledRejections } from './helpers.js';

trapUnhandledRejections();

describe('wait', () => {
  it('FIRST_COMPLETED resolves with the first to settle; the pending ones keep running and can be awaited', async () => {
    const probe = new Probe();
    const { done, pending } = await wait([probe.op(0, 80, 'slow'), probe.op(1, 10, 'fast')], {
      returnWhen: 'FIRST_COMPLETED',
    });
    expect(done).toEqual([{ index: 1, status: 'fulfilled', value: 'fast' }]);
    expect(pending.map((p) => p.index)).toEqual([0]);
    expect(probe.aborted.size).toBe(0);
    expect(await pending[0]!.promise).toBe('slow');
  });

  it('a pending operation can be cancelled on its own', async () => {
    const probe = new Probe();
    const { pending } = await wait([probe.op(0, 200, 'a'), probe.op(1, 200, 'b'), probe.op(2, 5, 'c')], {
      returnWhen: 'FIRST_COMPLETED',
    });
    pending[0]!.abort();
    await expect(pending[0]!.promise).rejects.toBeInstanceOf(AbortError);
    expect(pending[0]!.signal?.aborted).toBe(true);
    expect(pending[1]!.signal?.aborted).toBe(false);
    expect(await pending[1]!.promise).toBe('b');
    expect(probe.finished).toEqual([2, 1]);
  });

  it('FIRST_EXCEPTION resolves at the first failure, without rejecting', async () => {
    const failure = new Error('boom');
    const probe = new Probe();
    const { done, pending } = await wait(
      [probe.op(0, 5, 'ok'), probe.op(1, 20, 'x', failure), probe.op(2, 200, 'late')],
      { returnWhen: 'FIRST_EXCEPTION' },
    );
    expect(done).toEqual([
      { index: 0, status: 'fulfilled', value: 'ok' },
      { index: 1, status: 'rejected', reason: failure },
    ]);
    expect(pending.map((p) => p.index)).toEqual([2]);
    pending[2 - 2]!.abort();
    await pending[0]!.promise.catch(() => {});
  });

  it('FIRST_EXCEPTION without failures and ALL_COMPLETED (the default) wait for everything', async () => {
    const a = await wait([() => sleep(10, 1), () => sleep(5, 2)], { returnWhen: 'FIRST_EXCEPTION' });
    expect(a.done.map((d) => d.index)).toEqual([1, 0]);
    expect(a.pending).toEqual([]);
    const b = await wait([() => sleep(10, 1), Promise.reject(new Error('x')), () => 3]);
    expect(b.done.map((d) => d.status).sort()).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect(b.pending).toEqual([]);
  });

  it('timeout resolves with what is done so far and aborts nothing', async () => {
    const probe = new Probe();
    const { done, pending } = await wait([probe.op(0, 5, 'a'), probe.op(1, 150, 'b')], { timeout: 50 });
    expect(done.map((d) => d.index)).toEqual([0]);
    expect(pending.map((p) => p.index)).toEqual([1]);
    expect(await pending[0]!.promise).toBe('b');
    expect(probe.aborted.size).toBe(0);
  });

  it('the caller signal rejects with its reason before resolving, and aborts every operation', async () => {
    const probe = new Probe();
    const controller = new AbortController();
    const reason = new Error('stop');
    setTimeout(() => controller.abort(reason), 10);
    await expect(
      wait([probe.op(0, 200, 'a'), probe.op(1, 200, 'b')], { signal: controller.signal }),
    ).rejects.toBe(reason);
    await ticks(5);
    expect(probe.aborted.get(0)).toBe(reason);
    expect(probe.aborted.get(1)).toBe(reason);
    expect(abortListeners(controller.signal)).toBe(0);
  });

  it('the caller signal still governs pending operations, and its listener goes when the last one settles', async () => {
    const controller = new AbortController();
    const { pending } = await wait([() => sleep(5, 'a'), (s) => sleep(40, 'b', s)], {
      returnWhen: 'FIRST_COMPLETED',
      signal: controller.signal,
    });
    expect(abortListeners(controller.signal)).toBe(1);
    expect(await pending[0]!.promise).toBe('b');
    expect(abortListeners(controller.signal)).toBe(0);

    const second = await wait([() => sleep(5, 'a'), (s) => sleep(200, 'b', s)], {
      returnWhen: 'FIRST_COMPLETED',
      signal: controller.signal,
    });
    const reason = new Error('later');
    controller.abort(reason);
    await expect(second.pending[0]!.promise).rejects.toBe(reason);
  });

  it('records a synchronous throw as a rejected operation instead of throwing', async () => {
    const failure = new Error('sync');
    const { done } = await wait([
      () => {
        throw failure;
      },
      Promise.resolve(1),
    ]);
    expect(done).toContainEqual({ index: 0, status: 'rejected', reason: failure });
    expect(done).toContainEqual({ index: 1, status: 'fulfilled', value: 1 });
  });

  it('resolves { done: [], pending: [] } for no operations', async () => {
    expect(await wait([])).toEqual({ done: [], pending: [] });
  });

  it('validates its arguments synchronously', () => {
    expect(() => wait([() => 1], { returnWhen: 'SOON' as never })).toThrow(
      "The property 'options.returnWhen' must be one of 'FIRST_COMPLETED', 'FIRST_EXCEPTION', 'ALL_COMPLETED'. Received type string ('SOON')",
    );
    expect(() => wait([() => 1], { timeout: -1 })).toThrow(RangeError);
    expect(() => wait([() => 1], { timeout: '5' as never })).toThrow(TypeError);
    expect(() => wait({} as never)).toThrow(TypeError);
    expect(() => wait([() => 1], { signal: {} as never })).toThrow('"options.signal"');
  });
});

describe('wait: an already aborted signal', () => {
  it('rejects with its reason and leaves no promise of the caller to reject unhandled', async () => {
    const reason = new Error('already');
    const now = Promise.reject(new Error('rejected before the call'));
    const later = sleep(5, 0).then(() => Promise.reject(new Error('rejects after the call')));
    await expect(wait([now, later], { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    await ticks(15);
  });
});
