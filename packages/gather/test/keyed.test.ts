import { describe, expect, it } from 'vitest';
import { AbortError, gather, TimeoutError } from '../src/index.js';
import { abortListeners, Probe, sleep, ticks, trapUnhandledRejections } from './helpers.js';

trapUnhandledRejections();

describe('gather: keyed operations', () => {
  it('resolves an object of operations to an object of their results, whatever the completion order', async () => {
    const probe = new Probe();
    const result = await gather({
      user: probe.op(0, 40, { id: 1 }),
      orders: probe.op(1, 10, [101, 102]),
      flag: Promise.resolve(true),
    });
    expect(probe.finished).toEqual([1, 0]);
    expect(result).toEqual({ user: { id: 1 }, orders: [101, 102], flag: true });
    expect(Object.keys(result)).toEqual(['user', 'orders', 'flag']);
  });

  it('runs the operations at once, like the array form', async () => {
    const t0 = performance.now();
    await gather({ a: (s) => sleep(120, 1, s), b: (s) => sleep(120, 2, s) });
    expect(performance.now() - t0).toBeLessThan(220);
  });

  it('fails fast: rejects with the failure and aborts the other keys’ signal with an AbortError', async () => {
    const probe = new Probe();
    const failure = new Error('orders down');
    const run = gather({ user: probe.op(0, 300, 'u'), orders: probe.op(1, 10, 'o', failure) });
    await expect(run).rejects.toBe(failure);
    await ticks(10);
    const reason = probe.aborted.get(0) as AbortError;
    expect(reason).toBeInstanceOf(AbortError);
    expect(reason.cause).toBe(failure);
    expect(probe.finished).toEqual([1]);
  });

  it('returnExceptions puts each error under its key', async () => {
    const failure = new Error('down');
    const result = await gather(
      { user: () => 'u', orders: () => Promise.reject(failure) },
      { returnExceptions: true },
    );
    expect(result).toEqual({ user: 'u', orders: failure });
  });

  it('honours concurrency and signal', async () => {
    const probe = new Probe();
    const controller = new AbortController();
    const ops = Object.fromEntries([0, 1, 2, 3, 4].map((i) => [`k${i}`, probe.op(i, 15, i)]));
    expect(await gather(ops, { concurrency: 2, signal: controller.signal })).toEqual({
      k0: 0,
      k1: 1,
      k2: 2,
      k3: 3,
      k4: 4,
    });
    expect(probe.maxInFlight).toBe(2);
    expect(abortListeners(controller.signal)).toBe(0);

    const reason = new Error('client left');
    const aborted = new Probe();
    const run = gather({ a: aborted.op(0, 200, 1) }, { signal: controller.signal });
    controller.abort(reason);
    await expect(run).rejects.toBe(reason);
    expect(aborted.aborted.get(0)).toBe(reason);
  });

  it('takes a per-operation timeout', async () => {
    const result = await gather(
      { fast: (s) => sleep(5, 'fast', s), slow: (s) => sleep(500, 'slow', s) },
      { timeout: 60, returnExceptions: true },
    );
    expect(result.fast).toBe('fast');
    expect(result.slow).toBeInstanceOf(TimeoutError);
  });

  it('resolves {} for an empty object, and a Map to a Map with the same keys', async () => {
    expect(await gather({})).toEqual({});
    const map = new Map<string | number, () => Promise<string> | string>([
      ['user', () => sleep(10, 'u')],
      [7, () => 'seven'],
    ]);
    const result = await gather(map);
    expect(result).toBeInstanceOf(Map);
    expect([...result]).toEqual([
      ['user', 'u'],
      [7, 'seven'],
    ]);
  });

  it('names the key of a value that is not an operation, before starting anything', () => {
    let started = false;
    expect(() => gather({ user: () => (started = true), orders: 42 } as never)).toThrow(
      'The "ops.orders" property must be a promise, a thenable or a function (signal) => value. Received type number (42)',
    );
    expect(started).toBe(false);
    try {
      gather({ bad: null } as never);
    } catch (error) {
      expect(error).toBeInstanceOf(TypeError);
      expect((error as { code: string }).code).toBe('ERR_INVALID_ARG_TYPE');
    }
    expect(() => gather(new Map([['x', 1]]) as never)).toThrow(`The "ops.get('x')" property must be`);
  });

  it('reads own enumerable string keys only (Object.keys), not inherited ones', async () => {
    const proto = { inherited: () => 'no' };
    const ops = Object.create(proto) as Record<string, () => string>;
    ops.own = () => 'yes';
    expect(await gather(ops)).toEqual({ own: 'yes' });
  });
});
