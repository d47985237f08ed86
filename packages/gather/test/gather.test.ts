import { describe, expect, it } from 'vitest';
import { AbortError, asCompleted, gather, wait } from '../src/index.js';
import { abortListeners, Probe, sleep, ticks, trapUnhandledRejections } from './helpers.js';

trapUnhandledRejections();

describe('gather', () => {
  it('runs independent calls at once: two 150 ms calls take about 150 ms, not 300 ms', async () => {
    const fetchUser = (id: number, signal?: AbortSignal) => sleep(150, { id, name: 'user' }, signal);
    const fetchOrder = (id: number, signal?: AbortSignal) => sleep(150, { id, amount: 1000 }, signal);

    let t0 = performance.now();
    await fetchUser(1);
    await fetchOrder(101);
    const sequential = performance.now() - t0;

    t0 = performance.now();
    const [user, order] = await gather([(s) => fetchUser(1, s), (s) => fetchOrder(101, s)]);
    const gathered = performance.now() - t0;

    expect(user).toEqual({ id: 1, name: 'user' });
    expect(order).toEqual({ id: 101, amount: 1000 });
    expect(gathered).toBeLessThan(0.75 * sequential);
  });

  it('returns results in input order whatever the completion order (A 100, B 200, C 50 ms)', async () => {
    const probe = new Probe();
    const results = await gather([probe.op(0, 100, 'A'), probe.op(1, 200, 'B'), probe.op(2, 50, 'C')]);
    expect(probe.finished).toEqual([2, 0, 1]);
    expect(results).toEqual(['A', 'B', 'C']);
  });

  it('accepts promises, thenables, sync functions and async functions together', async () => {
    // biome-ignore lint/suspicious/noThenProperty: a thenable is exactly what this test needs
    const thenable = { then: (resolve: (v: string) => void) => resolve('thenable') } as PromiseLike<string>;
    const results = await gather([Promise.resolve(1), thenable, () => 'sync', async () => 'async']);
    expect(results).toEqual([1, 'thenable', 'sync', 'async']);
  });

  it('accepts any iterable and resolves [] for no operations', async () => {
    expect(await gather(new Set([() => 1, () => 2]))).toEqual([1, 2]);
    expect(await gather([])).toEqual([]);
  });

  it('by default rejects with the failure itself and aborts the others with an AbortError whose cause is it', async () => {
    const probe = new Probe();
    const failure = new Error('API2 down');
    const run = gather([
      probe.op(0, 300, 'api1'),
      probe.op(1, 20, 'api2', failure),
      probe.op(2, 300, 'api3'),
    ]);
    await expect(run).rejects.toBe(failure);
    await ticks(10);
    for (const index of [0, 2]) {
      const reason = probe.aborted.get(index) as AbortError;
      expect(reason).toBeInstanceOf(AbortError);
      expect(reason.name).toBe('AbortError');
      expect(reason.code).toBe('ERR_X_ABORTED');
      expect(reason.cause).toBe(failure);
    }
    await ticks(350);
    expect(probe.finished).toEqual([1]); // the aborted calls never completed
  });

  it('rejects with a synchronous throw, aborts what started before it and starts nothing after it', async () => {
    const probe = new Probe();
    const failure = new TypeError('bad request');
    const later = { called: false };
    const run = gather([
      probe.op(0, 200, 'a'),
      () => {
        throw failure;
      },
      () => {
        later.called = true;
        return 1;
      },
    ]);
    await expect(run).rejects.toBe(failure);
    expect(later.called).toBe(false);
    await ticks(5);
    expect((probe.aborted.get(0) as AbortError).cause).toBe(failure);
  });

  it('with returnExceptions puts each error in its place, keeps going and never rejects (failing API2)', async () => {
    const probe = new Probe();
    const failure = new Error('API2 down');
    const results = await gather(
      [
        probe.op(0, 30, 'api1'),
        probe.op(1, 10, 'api2', failure),
        probe.op(2, 60, 'api3'),
        Promise.reject(failure),
      ],
      { returnExceptions: true },
    );
    expect(results).toEqual(['api1', failure, 'api3', failure]);
    expect(results[1]).toBe(failure);
    expect(probe.aborted.size).toBe(0);
    expect(probe.finished.sort()).toEqual([0, 1, 2]);
  });

  it('with returnExceptions keeps a synchronous throw in place and still runs the rest', async () => {
    const failure = new Error('sync');
    const results = await gather(
      [
        () => {
          throw failure;
        },
        async () => 2,
      ],
      { returnExceptions: true },
    );
    expect(results).toEqual([failure, 2]);
  });

  it('with concurrency runs at most n functions at once and keeps input order', async () => {
    const probe = new Probe();
    const ops = Array.from({ length: 12 }, (_, i) => probe.op(i, 5 + ((i * 7) % 11), i));
    const results = await gather(ops, { concurrency: 3 });
    expect(results).toEqual(ops.map((_, i) => i));
    expect(probe.maxInFlight).toBe(3);
  });

  it('with concurrency starts none of the queued functions after a failure', async () => {
    const probe = new Probe();
    const failure = new Error('first fails');
    const ops = [
      probe.op(0, 10, 0, failure),
      ...Array.from({ length: 9 }, (_, i) => probe.op(i + 1, 30, i + 1)),
    ];
    await expect(gather(ops, { concurrency: 2 })).rejects.toBe(failure);
    await ticks(80);
    expect(probe.started).toEqual([0, 1]);
    expect((probe.aborted.get(1) as AbortError).cause).toBe(failure);
  });

  it('does not limit or delay promises passed directly: they are already running', async () => {
    const probe = new Probe();
    const early = [
      probe.op(0, 60, 'p0')(new AbortController().signal),
      probe.op(1, 60, 'p1')(new AbortController().signal),
    ];
    const t0 = performance.now();
    const results = await gather([...early, probe.op(2, 60, 'f2'), probe.op(3, 60, 'f3')], {
      concurrency: 1,
    });
    expect(results).toEqual(['p0', 'p1', 'f2', 'f3']);
    expect(probe.maxInFlight).toBe(3); // two promises plus one limited function
    expect(performance.now() - t0).toBeGreaterThanOrEqual(110); // the two functions ran one after the other
  });

  it('rejects with the caller signal reason unchanged and aborts every operation with it', async () => {
    const probe = new Probe();
    const controller = new AbortController();
    const reason = new Error('user left');
    const run = gather([probe.op(0, 200, 'a'), probe.op(1, 200, 'b')], { signal: controller.signal });
    setTimeout(() => controller.abort(reason), 20);
    await expect(run).rejects.toBe(reason);
    await ticks(5);
    expect(probe.aborted.get(0)).toBe(reason);
    expect(probe.aborted.get(1)).toBe(reason);
    expect(probe.finished).toEqual([]);
    expect(abortListeners(controller.signal)).toBe(0);
  });

  it('aborts a limited gather through the caller signal, starting nothing more', async () => {
    const probe = new Probe();
    const controller = new AbortController();
    const ops = Array.from({ length: 6 }, (_, i) => probe.op(i, 50, i));
    const run = gather(ops, { signal: controller.signal, concurrency: 2 });
    setTimeout(() => controller.abort(), 10);
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    await ticks(80);
    expect(probe.started).toEqual([0, 1]);
    expect(abortListeners(controller.signal)).toBe(0);
  });

  it('rejects at once with the reason of an already aborted signal and starts nothing', async () => {
    const reason = new Error('already');
    let called = false;
    const run = gather([() => (called = true)], { signal: AbortSignal.abort(reason) });
    await expect(run).rejects.toBe(reason);
    expect(called).toBe(false);
  });

  it('with an already aborted signal, leaves no promise of the caller to reject unhandled', async () => {
    const reason = new Error('already');
    const now = Promise.reject(new Error('rejected before the call'));
    const later = sleep(5, 0).then(() => Promise.reject(new Error('rejects after the call')));
    await expect(gather([now, later], { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    await ticks(15); // the trap fails the test if either rejection went unhandled
  });

  it('with an already aborted signal, never calls then() on a lazy thenable (that would start the work)', async () => {
    const started: string[] = [];
    const lazy = (name: string) =>
      ({
        // biome-ignore lint/suspicious/noThenProperty: a lazy thenable (a query builder) is what this test needs
        then(resolve: (v: string) => void) {
          started.push(name);
          resolve(name);
        },
      }) as unknown as PromiseLike<string>;
    const aborted = AbortSignal.abort(new Error('already'));
    await expect(gather([lazy('gather')], { signal: aborted })).rejects.toThrow('already');
    await expect(wait([lazy('wait')], { signal: aborted })).rejects.toThrow('already');
    await asCompleted([lazy('asCompleted')]).return();
    await ticks(5);
    expect(started).toEqual([]);
  });

  it('removes its listener from the caller signal when it resolves, fails, or is limited', async () => {
    const controller = new AbortController();
    const { signal } = controller;
    await gather([() => sleep(5, 1)], { signal });
    expect(abortListeners(signal)).toBe(0);
    await gather([() => Promise.reject(new Error('x')), () => sleep(5, 1)], { signal }).catch(() => {});
    expect(abortListeners(signal)).toBe(0);
    await gather([() => sleep(5, 1), () => sleep(5, 2), () => sleep(5, 3)], { signal, concurrency: 2 });
    expect(abortListeners(signal)).toBe(0);
    await gather([() => sleep(5, 1), () => Promise.reject(new Error('y')), () => 3], {
      signal,
      concurrency: 1,
    }).catch(() => {});
    expect(abortListeners(signal)).toBe(0);
    expect(signal.aborted).toBe(false);
  });

  it('lets no rejection go unhandled when several operations fail after the first', async () => {
    const e1 = new Error('1');
    const run = gather([
      () => sleep(5, 0).then(() => Promise.reject(e1)),
      () => sleep(10, 0).then(() => Promise.reject(new Error('2'))),
      Promise.reject(new Error('3')).catch(() => {}),
      sleep(15, 0).then(() => Promise.reject(new Error('4'))),
    ]);
    await expect(run).rejects.toBe(e1);
    await ticks(30); // the trap checks that 2 and 4 were observed
  });

  it('observes promises after a synchronous throw so their later rejection is not unhandled', async () => {
    const failure = new Error('sync');
    const later = sleep(10, 0).then(() => Promise.reject(new Error('later')));
    await expect(
      gather([
        () => {
          throw failure;
        },
        later,
      ]),
    ).rejects.toBe(failure);
    await ticks(20);
  });

  it('warns about no listener leak when many operations listen to the shared signal', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    await gather(Array.from({ length: 30 }, (_, i) => (signal: AbortSignal) => sleep(1, i, signal)));
    await ticks(5);
    process.off('warning', onWarning);
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });
});

describe('gather: stack traces', () => {
  async function failsLater(): Promise<never> {
    await sleep(1, undefined);
    throw new Error('orders down');
  }
  // Vitest maps stack frames through source maps and drops their `async` keyword, hence `(async )?`.
  it.each([
    ['no options', undefined],
    ['a signal', { signal: new AbortController().signal }],
    ['a concurrency limit below the count', { concurrency: 1 }],
    ['a limit and a signal', { concurrency: 1, signal: new AbortController().signal }],
  ])('an operation’s error keeps the caller’s async stack, with %s', async (_, options) => {
    async function loadDashboard() {
      return await gather([() => sleep(2, 'user'), failsLater, () => sleep(2, 'more')], options);
    }
    const error = (await loadDashboard().catch((e: unknown) => e)) as Error;
    expect(error.message).toBe('orders down');
    expect(error.stack).toMatch(/at (async )?loadDashboard /);
  });
});

describe('gather: bad input', () => {
  it('throws a TypeError naming "ops" for something that is not an array, iterable or object', () => {
    for (const bad of [5, null, undefined, 'abc', () => 1, Promise.resolve(1)]) {
      expect(() => gather(bad as never)).toThrow(TypeError);
    }
    expect(() => gather(5 as never)).toThrow(
      'The "ops" argument must be an array, an iterable or an object of promises and functions. Received type number (5)',
    );
    try {
      gather(null as never);
    } catch (error) {
      expect((error as { code: string }).code).toBe('ERR_INVALID_ARG_TYPE');
    }
  });

  it('names the index of an element that is neither a promise nor a function, before starting anything', () => {
    let started = false;
    const ops = [() => (started = true), Promise.resolve(1), 42];
    expect(() => gather(ops as never)).toThrow(
      'The "ops[2]" argument must be a promise, a thenable or a function (signal) => value. Received type number (42)',
    );
    expect(started).toBe(false);
  });

  it('throws a RangeError for concurrency 0, negative, fractional or NaN and a TypeError for a non-number', async () => {
    for (const concurrency of [0, -1, 1.5, Number.NaN]) {
      expect(() => gather([() => 1], { concurrency })).toThrow(RangeError);
    }
    expect(() => gather([() => 1], { concurrency: 0 })).toThrow(
      'The value of "options.concurrency" is out of range. It must be an integer >= 1 or Infinity. Received 0',
    );
    expect(() => gather([() => 1], { concurrency: '2' as never })).toThrow(TypeError);
    await expect(gather([() => 1], { concurrency: Number.POSITIVE_INFINITY })).resolves.toEqual([1]);
  });

  it('rejects a signal that is not an AbortSignal, Node-style', () => {
    expect(() => gather([() => 1], { signal: 1 as never })).toThrow(
      'The "options.signal" property must be an instance of AbortSignal. Received type number (1)',
    );
  });

  it('rejects non-boolean returnExceptions and non-object options', () => {
    expect(() => gather([() => 1], { returnExceptions: 'yes' as never })).toThrow(
      'The "options.returnExceptions" property must be of type boolean. Received type string (\'yes\')',
    );
    expect(() => gather([() => 1], 3 as never)).toThrow(
      'The "options" argument must be of type object. Received type number (3)',
    );
  });
});
