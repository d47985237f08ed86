import { describe, expect, it } from 'vitest';
import { AbortError, any, race } from '../src/index.js';
import { abortListeners, Probe, sleep, ticks, trapUnhandledRejections } from './helpers.js';

trapUnhandledRejections();

describe('race', () => {
  it('settles like the first operation to fulfil and aborts the others at once', async () => {
    const probe = new Probe();
    const winner = await race([probe.op(0, 300, 'slow'), probe.op(1, 10, 'fast'), probe.op(2, 300, 'slow')]);
    expect(winner).toBe('fast');
    // The losers were aborted when the winner settled, not left running.
    expect([...probe.aborted.keys()].sort()).toEqual([0, 2]);
    expect(probe.aborted.get(0)).toBeInstanceOf(AbortError);
    expect((probe.aborted.get(0) as AbortError).message).toBe(
      'Aborted because operation 1 settled first in race().',
    );
    await ticks(320);
    expect(probe.finished).toEqual([1]);
  });

  it('settles like the first operation to fail, and aborts the others with an AbortError whose cause is it', async () => {
    const probe = new Probe();
    const failure = new Error('primary down');
    await expect(race([probe.op(0, 10, 'a', failure), probe.op(1, 300, 'b')])).rejects.toBe(failure);
    expect((probe.aborted.get(1) as AbortError).cause).toBe(failure);
  });

  it('never aborts the winner’s own signal, so what it returned can still be used', async () => {
    let winnerSignal: AbortSignal | undefined;
    await race([
      (signal) => {
        winnerSignal = signal;
        return sleep(5, 'w', signal);
      },
      (signal) => sleep(300, 'l', signal),
    ]);
    await ticks(5);
    expect(winnerSignal?.aborted).toBe(false);
  });

  it('does not start operations after one that settles synchronously', async () => {
    let started = false;
    expect(
      await race([
        () => 'now',
        () => {
          started = true;
          return 'later';
        },
      ]),
    ).toBe('now');
    expect(started).toBe(false);
  });

  it('accepts promises (which it cannot stop) and functions together', async () => {
    expect(await race([sleep(5, 'promise'), (s) => sleep(200, 'fn', s)])).toBe('promise');
  });

  it('the caller’s signal aborts every operation and rejects with its reason; the listener is removed', async () => {
    const probe = new Probe();
    const controller = new AbortController();
    const reason = new Error('client left');
    const run = race([probe.op(0, 200, 1), probe.op(1, 200, 2)], { signal: controller.signal });
    controller.abort(reason);
    await expect(run).rejects.toBe(reason);
    expect(probe.aborted.get(0)).toBe(reason);
    expect(probe.aborted.get(1)).toBe(reason);

    const other = new AbortController();
    await race([(s) => sleep(5, 1, s)], { signal: other.signal });
    expect(abortListeners(other.signal)).toBe(0);
    await expect(race([() => 1], { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });

  it('throws a RangeError for no operations (Promise.race([]) would never settle)', () => {
    expect(() => race([])).toThrow(RangeError);
    try {
      race([]);
    } catch (error) {
      expect((error as { code: string }).code).toBe('ERR_OUT_OF_RANGE');
      expect((error as Error).message).toBe(
        'The value of "ops.length" is out of range. It must be >= 1 (a race of no operations would never settle). Received 0',
      );
    }
  });

  it('validates ops and options before starting anything', () => {
    let started = false;
    expect(() => race([() => (started = true), 3] as never)).toThrow('The "ops[1]" argument must be');
    expect(started).toBe(false);
    expect(() => race([() => 1], { signal: 1 as never })).toThrow(TypeError);
    expect(() => race([() => 1], { waitForStop: 'yes' as never })).toThrow(
      'The "options.waitForStop" property must be of type boolean',
    );
  });
});

describe('any', () => {
  it('fulfils with the first fulfilment, ignoring earlier failures, and aborts the rest', async () => {
    const probe = new Probe();
    const result = await any([
      probe.op(0, 5, 'x', new Error('mirror 0 down')),
      probe.op(1, 30, 'mirror 1'),
      probe.op(2, 300, 'mirror 2'),
    ]);
    expect(result).toBe('mirror 1');
    expect([...probe.aborted.keys()]).toEqual([2]);
    expect((probe.aborted.get(2) as AbortError).message).toBe(
      'Aborted because operation 1 fulfilled first in any().',
    );
  });

  it('rejects with an AggregateError of every failure, in input order, when all failed', async () => {
    const e0 = new Error('0');
    const e1 = new Error('1');
    const error = (await any([
      () => sleep(20, undefined).then(() => Promise.reject(e0)),
      () => Promise.reject(e1),
    ]).catch((e: unknown) => e)) as AggregateError;
    expect(error).toBeInstanceOf(AggregateError);
    expect(error.errors).toEqual([e0, e1]);
    expect(error.message).toBe('All 2 operations of any() failed; see `errors`.');
  });

  it('throws a RangeError for no operations, where Promise.any([]) rejects with an empty AggregateError', () => {
    expect(() => any([])).toThrow(RangeError);
  });

  it('a synchronous throw is one failure among others, not the outcome', async () => {
    expect(
      await any([
        () => {
          throw new Error('sync');
        },
        () => sleep(5, 'ok'),
      ]),
    ).toBe('ok');
  });
});

describe('race and any: waitForStop', () => {
  it('by default settles at once, while a loser that is slow to stop is still stopping', async () => {
    const log: string[] = [];
    const slowToStop = (signal: AbortSignal) =>
      new Promise((_, reject) =>
        signal.addEventListener('abort', () =>
          setTimeout(() => {
            log.push('loser stopped');
            reject(signal.reason);
          }, 40),
        ),
      );
    await race([(s) => sleep(5, 'w', s), slowToStop]);
    log.push('race settled');
    await ticks(60);
    expect(log).toEqual(['race settled', 'loser stopped']);
  });

  it('with waitForStop settles only after every aborted loser has settled, with the same outcome', async () => {
    for (const api of [race, any]) {
      const log: string[] = [];
      const slowToStop = (signal: AbortSignal) =>
        new Promise((_, reject) =>
          signal.addEventListener('abort', () =>
            setTimeout(() => {
              log.push('loser stopped');
              reject(signal.reason);
            }, 40),
          ),
        );
      expect(await api([(s) => sleep(5, 'w', s), slowToStop], { waitForStop: true })).toBe('w');
      log.push('settled');
      expect(log).toEqual(['loser stopped', 'settled']);
    }
  });

  it('with waitForStop, an aborted caller signal rejects only after the operations stopped', async () => {
    const controller = new AbortController();
    const log: string[] = [];
    const run = race(
      [
        (signal) =>
          new Promise((_, reject) =>
            signal.addEventListener('abort', () =>
              setTimeout(() => {
                log.push('stopped');
                reject(signal.reason);
              }, 30),
            ),
          ),
      ],
      { signal: controller.signal, waitForStop: true },
    );
    controller.abort(new Error('bye'));
    await run.catch(() => log.push('rejected'));
    expect(log).toEqual(['stopped', 'rejected']);
  });
});

describe('race and any: edge cases', () => {
  it('an operation that aborts the caller’s signal while it starts still rejects the race with its reason', async () => {
    const controller = new AbortController();
    const reason = new Error('aborted from inside');
    const run = race(
      [
        (signal) => sleep(200, 1, signal),
        () => {
          controller.abort(reason);
          return sleep(200, 2);
        },
      ],
      { signal: controller.signal },
    );
    await expect(run).rejects.toBe(reason);
  });

  it('any removes its listener from the caller’s signal whether it fulfils or all fail', async () => {
    const controller = new AbortController();
    await any([() => sleep(5, 1)], { signal: controller.signal });
    await any([() => Promise.reject(new Error('x'))], { signal: controller.signal }).catch(() => {});
    expect(abortListeners(controller.signal)).toBe(0);
  });
});
