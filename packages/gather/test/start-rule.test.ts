/**
 * One start rule for the whole package (issue 13, item 5): the first `concurrency` function operations are
 * called synchronously, inside the call that starts the run (`gather()`, `map()`, `wait()`, or the first
 * `next()` of `asCompleted()` and `mapStream()`), whether there are fewer or more of them than the limit; each
 * later one starts when an earlier one settles. (gather used to defer by a microtask when there were more
 * functions than `concurrency`, through p-limit, while map started at once.)
 */
import { describe, expect, it } from 'vitest';
import { asCompleted, gather, map, mapStream, wait } from '../src/index.js';
import { sleep, trapUnhandledRejections } from './helpers.js';

trapUnhandledRejections();

/** `n` operations that record their start synchronously, then take a few ms. */
function counted(n: number) {
  const started: number[] = [];
  const ops = Array.from({ length: n }, (_, i) => (signal: AbortSignal) => {
    started.push(i);
    return sleep(5, i, signal);
  });
  return { started, ops };
}

describe('start rule: the first `concurrency` functions start synchronously inside the call', () => {
  it.each([
    ['fewer functions than the limit', 3, 5, [0, 1, 2]],
    ['as many as the limit', 4, 4, [0, 1, 2, 3]],
    ['more than the limit', 6, 2, [0, 1]],
    ['no limit', 4, Number.POSITIVE_INFINITY, [0, 1, 2, 3]],
  ])('gather, %s', async (_, n, concurrency, expected) => {
    const { started, ops } = counted(n as number);
    const pending = gather(ops, { concurrency: concurrency as number });
    expect(started).toEqual(expected); // nothing awaited yet
    expect(await pending).toEqual(Array.from({ length: n as number }, (_, i) => i));
    expect(started).toHaveLength(n as number);
  });

  it('gather with a signal and more functions than the limit', async () => {
    const { started, ops } = counted(5);
    const pending = gather(ops, { concurrency: 2, signal: new AbortController().signal });
    expect(started).toEqual([0, 1]);
    await pending;
  });

  it.each([
    ['an array', (items: number[]) => items],
    [
      'a generator',
      function* (items: number[]) {
        yield* items;
      },
    ],
  ])('map over %s, fewer or more items than the limit', async (_, input) => {
    for (const [n, concurrency] of [
      [2, 4],
      [6, 3],
    ] as const) {
      const started: number[] = [];
      const items = Array.from({ length: n }, (_, i) => i);
      const pending = map(
        input(items),
        (i, { signal }) => {
          started.push(i);
          return sleep(5, i, signal);
        },
        {
          concurrency,
        },
      );
      expect(started).toEqual(items.slice(0, concurrency));
      expect(await pending).toEqual(items);
    }
  });

  it('mapStream: nothing before the first next(), then the first `concurrency` inside that call', async () => {
    const started: number[] = [];
    const stream = mapStream(
      [0, 1, 2, 3, 4],
      (i, { signal }) => {
        started.push(i);
        return sleep(5, i, signal);
      },
      {
        concurrency: 2,
      },
    );
    expect(started).toEqual([]);
    const first = stream.next();
    expect(started).toEqual([0, 1]);
    expect(await first).toEqual({ done: false, value: 0 });
    const rest: number[] = [];
    for await (const value of stream) rest.push(value);
    expect(rest).toEqual([1, 2, 3, 4]);
  });

  it('asCompleted: nothing before the first next(), then the first `concurrency` inside that call', async () => {
    const { started, ops } = counted(5);
    const iterator = asCompleted(ops, { concurrency: 2 });
    expect(started).toEqual([]);
    const first = iterator.next();
    expect(started).toEqual([0, 1]);
    await first;
    await iterator.return();
  });

  it('wait starts every function inside the call (it has no limit)', async () => {
    const { started, ops } = counted(3);
    const pending = wait(ops);
    expect(started).toEqual([0, 1, 2]);
    await pending;
  });
});
