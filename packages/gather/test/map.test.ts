import { describe, expect, it } from 'vitest';
import { AbortError, map, mapStream } from '../src/index.js';
import { abortListeners, sleep, ticks, trapUnhandledRejections } from './helpers.js';

trapUnhandledRejections();

/** A generator of `n` ids that records how far it was read and whether it was closed. */
function source(n: number) {
  const state = { pulled: 0, closed: false };
  function* ids() {
    try {
      for (let i = 0; i < n; i++) {
        state.pulled++;
        yield i;
      }
    } finally {
      state.closed = true;
    }
  }
  return { state, ids: ids() };
}

async function* asyncIds(n: number, state = { pulled: 0, closed: false }) {
  try {
    for (let i = 0; i < n; i++) {
      await sleep(1, 0);
      state.pulled++;
      yield i;
    }
  } finally {
    state.closed = true;
  }
}

const jitter = (i: number) => (i * 7) % 5;

/** A catch handler that records the abort reason and rethrows it. */
const rethrowInto = (list: unknown[]) => (reason: unknown) => {
  list.push(reason);
  throw reason;
};

describe('map', () => {
  it('maps an array, a generator and an async generator, results in input order', async () => {
    const double = async (n: number) => {
      await sleep(jitter(n), 0);
      return n * 2;
    };
    const expected = Array.from({ length: 20 }, (_, i) => i * 2);
    expect(await map([...Array(20).keys()], double, { concurrency: 4 })).toEqual(expected);
    expect(await map(source(20).ids, double, { concurrency: 4 })).toEqual(expected);
    expect(await map(asyncIds(20), double, { concurrency: 4 })).toEqual(expected);
    expect(await map(new Set([1, 2]), (n) => n + 1)).toEqual([2, 3]);
    expect(await map([], double)).toEqual([]);
  });

  it('gathers over a list of user ids like the seeds: concurrency 2 over 6 ids of 40 ms takes ~3 rounds', async () => {
    const fetchUser = (id: number, signal: AbortSignal) => sleep(40, `user${id}`, signal);
    const t0 = performance.now();
    const users = await map([1, 2, 3, 4, 5, 6], (id, { signal }) => fetchUser(id, signal), {
      concurrency: 2,
    });
    expect(users).toEqual(['user1', 'user2', 'user3', 'user4', 'user5', 'user6']);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(115);
  });

  it('passes the index and a signal to fn', async () => {
    const seen: Array<[string, number, boolean]> = [];
    await map(['a', 'b'], (item, { index, signal }) => {
      seen.push([item, index, signal instanceof AbortSignal]);
    });
    expect(seen).toEqual([
      ['a', 0, true],
      ['b', 1, true],
    ]);
  });

  it('reads the input lazily: never more than concurrency items ahead of completion', async () => {
    const { state, ids } = source(200);
    let completed = 0;
    let maxAhead = 0;
    let inFlight = 0;
    let maxInFlight = 0;
    await map(
      ids,
      async (i) => {
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        maxAhead = Math.max(maxAhead, state.pulled - completed);
        await sleep(jitter(i), 0);
        inFlight--;
        completed++;
      },
      { concurrency: 5 },
    );
    expect(maxInFlight).toBe(5);
    expect(maxAhead).toBeLessThanOrEqual(5);
  });

  it('reads an async iterable one next() at a time and never more than concurrency ahead', async () => {
    const state = { pulled: 0, closed: false };
    let completed = 0;
    let maxAhead = 0;
    const results = await map(
      asyncIds(30, state),
      async (i) => {
        maxAhead = Math.max(maxAhead, state.pulled - completed);
        await sleep(jitter(i) + 2, 0);
        completed++;
        return i;
      },
      { concurrency: 4 },
    );
    expect(results).toEqual([...Array(30).keys()]);
    expect(maxAhead).toBeLessThanOrEqual(4);
  });

  it('by default rejects with the failure, aborts running calls, stops reading and closes the input', async () => {
    const { state, ids } = source(1000);
    const failure = new Error('id 3 failed');
    const aborted: unknown[] = [];
    const run = map(
      ids,
      async (i, { signal }) => {
        if (i === 3) throw failure;
        await sleep(100, i, signal).catch((reason) => {
          aborted.push(reason);
          throw reason;
        });
      },
      { concurrency: 4 },
    );
    await expect(run).rejects.toBe(failure);
    await ticks(5);
    expect(aborted).toHaveLength(3);
    expect((aborted[0] as AbortError).cause).toBe(failure);
    expect(state.closed).toBe(true);
    expect(state.pulled).toBe(4);
  });

  it('with returnExceptions puts errors in place and keeps going', async () => {
    const failure = new Error('odd');
    const results = await map([1, 2, 3], (n) => (n === 2 ? Promise.reject(failure) : n), {
      returnExceptions: true,
      concurrency: 2,
    });
    expect(results).toEqual([1, failure, 3]);
  });

  it('rejects with the error of an input that throws, and aborts the running calls', async () => {
    const broken = new Error('cursor lost');
    function* ids() {
      yield 1;
      yield 2;
      throw broken;
    }
    const aborted: unknown[] = [];
    const run = map(ids(), (i, { signal }) => sleep(100, i, signal).catch(rethrowInto(aborted)), {
      concurrency: 4,
    });
    await expect(run).rejects.toBe(broken);
    await ticks(5);
    expect(aborted).toHaveLength(2);
    expect((aborted[0] as AbortError).cause).toBe(broken);

    async function* failing() {
      yield 1;
      throw broken;
    }
    await expect(map(failing(), (i) => i, { returnExceptions: true })).rejects.toBe(broken);
  });

  it('the caller signal rejects with its reason, aborts calls, closes the input and removes its listener', async () => {
    const { state, ids } = source(100);
    const controller = new AbortController();
    const reason = new Error('cancel');
    setTimeout(() => controller.abort(reason), 15);
    await expect(
      map(ids, (i, { signal }) => sleep(10, i, signal), { concurrency: 2, signal: controller.signal }),
    ).rejects.toBe(reason);
    expect(state.closed).toBe(true);
    expect(state.pulled).toBeLessThan(10);
    expect(abortListeners(controller.signal)).toBe(0);

    const other = new AbortController();
    await map([1, 2, 3], (i) => sleep(1, i), { signal: other.signal });
    expect(abortListeners(other.signal)).toBe(0);
    await expect(map([1], (i) => i, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });

  it('handles synchronous fn results and throws', async () => {
    expect(await map([1, 2, 3], (n) => n * 3, { concurrency: 2 })).toEqual([3, 6, 9]);
    const failure = new Error('sync');
    await expect(
      map([1, 2], () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
  });

  it('awaits a promise item before calling fn with its value (p-map’s and `for await`’s rule)', async () => {
    const seen: unknown[] = [];
    const results = await map(
      [Promise.resolve(1), 2, sleep(10, 3)],
      (n, { index }) => {
        seen.push(n);
        return n * 10 + index;
      },
      { concurrency: 2 },
    );
    expect(results).toEqual([10, 21, 32]);
    expect(seen.every((n) => typeof n === 'number')).toBe(true);
    const streamed: number[] = [];
    for await (const v of mapStream(
      (async function* () {
        yield Promise.resolve(4);
        yield 5;
      })(),
      (n) => n + 1,
    ))
      streamed.push(v);
    expect(streamed).toEqual([5, 6]);
  });

  it('treats a rejected promise item as that item’s failure: fail fast, or in place with returnExceptions', async () => {
    const bad = new Error('item failed');
    const calls: number[] = [];
    const fn = (n: number) => {
      calls.push(n);
      return n;
    };
    await expect(map([1, Promise.reject(bad), 3], fn, { concurrency: 1 })).rejects.toBe(bad);
    expect(calls).toEqual([1]); // fn never called for the failed item, nor for the ones after it
    expect(await map([1, Promise.reject(bad), 3], fn, { returnExceptions: true })).toEqual([1, bad, 3]);
  });

  it('leaves no promise item of an array to reject unhandled when it gives up before reaching it', async () => {
    const late = sleep(20, undefined).then(() => {
      throw new Error('never reached');
    });
    const first = new Error('first');
    await expect(map([Promise.reject(first), late], (x) => x, { concurrency: 1 })).rejects.toBe(first);
    await sleep(40, undefined); // trapUnhandledRejections fails the file if `late` surfaced
  });

  it('validates its arguments synchronously, naming them', () => {
    expect(() => map(5 as never, (x) => x)).toThrow(
      'The "iterable" argument must be an array, an iterable or an async iterable. Received type number (5)',
    );
    expect(() => map([1], 'f' as never)).toThrow(
      'The "fn" argument must be of type function. Received type string (\'f\')',
    );
    expect(() => map([1], (x) => x, { concurrency: -2 })).toThrow(RangeError);
    expect(() => map([1], (x) => x, { signal: 'no' as never })).toThrow('"options.signal"');
  });
});

describe('mapStream', () => {
  it('yields results in input order as they become ready', async () => {
    const out: number[] = [];
    for await (const v of mapStream(asyncIds(25), (i) => sleep(jitter(i), i * 10), {
      concurrency: 4,
    }))
      out.push(v);
    expect(out).toEqual(Array.from({ length: 25 }, (_, i) => i * 10));
  });

  it('pauses reading the input while the consumer is slow (backpressure)', async () => {
    const { state, ids } = source(1000);
    let consumed = 0;
    let maxAhead = 0;
    for await (const _ of mapStream(
      ids,
      async (i) => {
        await null;
        return i;
      },
      { concurrency: 3 },
    )) {
      consumed++;
      maxAhead = Math.max(maxAhead, state.pulled - consumed);
      if (consumed % 100 === 0) await ticks(1);
    }
    expect(consumed).toBe(1000);
    expect(maxAhead).toBeLessThanOrEqual(3 + 3);
  });

  it('leaving the loop aborts running calls and closes the input', async () => {
    const { state, ids } = source(1000);
    const aborted: unknown[] = [];
    for await (const v of mapStream(
      ids,
      (i, { signal }) => sleep(i === 0 ? 1 : 100, i, signal).catch(rethrowInto(aborted)),
      { concurrency: 4 },
    )) {
      expect(v).toBe(0);
      break;
    }
    await ticks(5);
    expect(state.closed).toBe(true);
    expect(aborted.length).toBeGreaterThan(0);
    expect(aborted[0]).toBeInstanceOf(AbortError);
  });

  it('throws the first failure by default, and yields errors in place with returnExceptions', async () => {
    const failure = new Error('bad item');
    const fn = (i: number) => (i === 2 ? Promise.reject(failure) : sleep(2, i));
    const seen: unknown[] = [];
    await expect(
      (async () => {
        for await (const v of mapStream([0, 1, 2, 3], fn, { concurrency: 2 })) seen.push(v);
      })(),
    ).rejects.toBe(failure);
    expect(seen.every((v) => v === 0 || v === 1)).toBe(true);

    const all: unknown[] = [];
    for await (const v of mapStream([0, 1, 2, 3], fn, { concurrency: 2, returnExceptions: true }))
      all.push(v);
    expect(all).toEqual([0, 1, failure, 3]);
  });

  it("the caller's signal: its reason unchanged, running calls aborted, no listener left in any outcome", async () => {
    const reason = new Error('caller gave up');
    const controller = new AbortController();
    const aborted: unknown[] = [];
    const seen: number[] = [];
    setTimeout(() => controller.abort(reason), 20);
    await expect(
      (async () => {
        for await (const v of mapStream(
          source(100).ids,
          (i, { signal }) => sleep(i < 2 ? 1 : 1000, i, signal).catch(rethrowInto(aborted)),
          { concurrency: 4, signal: controller.signal },
        ))
          seen.push(v);
      })(),
    ).rejects.toBe(reason);
    expect(seen).toEqual([0, 1]);
    expect(aborted.length).toBeGreaterThan(0);
    expect(abortListeners(controller.signal)).toBe(0);

    // Already aborted: the first step throws the reason and nothing is called.
    let called = false;
    const before = mapStream(
      [1],
      () => {
        called = true;
      },
      { signal: AbortSignal.abort(reason) },
    );
    await expect(before[Symbol.asyncIterator]().next()).rejects.toBe(reason);
    expect(called).toBe(false);

    // Completed, and left early with break: the listener is removed both times.
    const { signal } = new AbortController();
    for await (const _ of mapStream([1, 2, 3], (x) => x, { signal })) {
    }
    expect(abortListeners(signal)).toBe(0);
    for await (const _ of mapStream([1, 2, 3], (x) => sleep(2, x), { signal })) break;
    expect(abortListeners(signal)).toBe(0);
    expect(signal.aborted).toBe(false);
  });

  it('validates backpressure against concurrency', () => {
    expect(() => mapStream([1], (x) => x, { concurrency: 4, backpressure: 2 })).toThrow(RangeError);
    expect(() => mapStream([1], (x) => x, { backpressure: '3' as never })).toThrow(TypeError);
  });
});
