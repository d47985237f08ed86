/**
 * The tests of three sindresorhus packages, ported to keyed `gather`, `any` and `race`. MIT licence, (c) Sindre
 * Sorhus. Test names are the peers'.
 * - github:sindresorhus/p-props, test.js. Not ported: the `mapper` argument and `pPropsAllSettled` (use
 *   `returnExceptions: true`, which puts each error under its key). Plain values such as `faz: 3` are not
 *   operations here (a typo'd value fails at the door), so they are wrapped as `() => 3`.
 * - github:sindresorhus/p-any, test.js. Not ported: `filter` and the p-cancelable tests (cancellation here is the
 *   caller's `signal`, tested as such). `any([])` throws its RangeError synchronously, where p-any rejects.
 * - github:sindresorhus/p-race, test.js. p-race hands one signal to all the promises and aborts it only after a
 *   fulfilment ('abortsignal - should throw error' expects it *not* aborted after a rejection); `race` gives each
 *   operation its own signal and aborts the losers whichever way the winner settled. `race([])` throws
 *   synchronously, where p-race rejects.
 */
import { describe, expect, it } from 'vitest';
import { any, gather, race } from '../src/index.js';
import { sleep } from './helpers.js';

describe('ported from p-props: keyed gather', () => {
  it('main', async () => {
    expect(
      await gather({
        foo: sleep(100, undefined).then(() => 1),
        bar: Promise.resolve(2),
        faz: () => 3,
      }),
    ).toEqual({ foo: 1, bar: 2, faz: 3 });
  });

  it('`Map` input', async () => {
    expect(
      await gather(
        new Map<string, Promise<number> | (() => number)>([
          ['foo', Promise.resolve(1)],
          ['bar', () => 2],
        ]),
      ),
    ).toEqual(
      new Map([
        ['foo', 1],
        ['bar', 2],
      ]),
    );
  });

  it('rejects if any of the input promises reject', async () => {
    await expect(gather({ foo: Promise.resolve(1), bar: Promise.reject(new Error('bar')) })).rejects.toThrow(
      'bar',
    );
  });

  it('handles empty object', async () => {
    expect(await gather({})).toEqual({});
    expect(await gather(new Map())).toEqual(new Map());
  });

  it('pPropsAllSettled: handles rejected promises (as returnExceptions)', async () => {
    const bar = new Error('bar');
    expect(
      await gather({ foo: Promise.resolve(1), bar: Promise.reject(bar) }, { returnExceptions: true }),
    ).toEqual({ foo: 1, bar });
  });
});

describe('ported from p-any: any', () => {
  it('returns the first fulfilled value', async () => {
    const fixture = [
      Promise.reject(new Error('1')),
      Promise.resolve(2),
      Promise.reject(new Error('3')),
      Promise.resolve(4),
    ];
    expect(await any(fixture)).toBe(2);
  });

  it('returns the first fulfilled value #2', async () => {
    expect(await any([sleep(100, 1), sleep(10, 2), sleep(50, 3)])).toBe(2);
  });

  it('rejects on empty iterable', () => {
    expect(() => any([])).toThrow(RangeError);
  });
});

describe('ported from p-race: race', () => {
  it('works like Promise.race()', async () => {
    expect(await race([sleep(50, 1), sleep(100, 2)])).toBe(1);
  });

  it('handles empty Iterable', () => {
    expect(() => race([])).toThrow(RangeError);
  });

  it('abortsignal', async () => {
    const signals: AbortSignal[] = [];
    expect(
      await race([
        (signal) => {
          signals.push(signal);
          return sleep(50, 1, signal);
        },
        (signal) => {
          signals.push(signal);
          return sleep(100, 2, signal);
        },
      ]),
    ).toBe(1);
    expect(signals.map((s) => s.aborted)).toEqual([false, true]);
  });

  it('abortsignal - should throw error (we abort the losers after a rejection too)', async () => {
    const signals: AbortSignal[] = [];
    await expect(
      race([
        (signal) => {
          signals.push(signal);
          return sleep(50, undefined, signal).then(() => Promise.reject(new Error('some error')));
        },
        (signal) => {
          signals.push(signal);
          return sleep(100, 1, signal);
        },
      ]),
    ).rejects.toThrow('some error');
    expect(signals.map((s) => s.aborted)).toEqual([false, true]);
  });
});
