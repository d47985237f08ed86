/**
 * `waitForStop`: every waiting API can settle only once the operations it gave up on have really settled (asyncio's
 * `TaskGroup` and `wait_for` behaviour); by default it settles at once, like `Promise.all`. Each test has an
 * operation that takes 40 ms to stop after its signal aborts, and checks the order of "stopped" and "settled".
 */
import { describe, expect, it } from 'vitest';
import { asCompleted, gather, map, mapStream, TimeoutError, wait } from '../src/index.js';
import { sleep, ticks, trapUnhandledRejections } from './helpers.js';

trapUnhandledRejections();

/** An operation that, once aborted, needs `ms` to clean up before it rejects. */
const slowToStop =
  (log: string[], ms = 40) =>
  (signal: AbortSignal) =>
    new Promise<never>((_, reject) =>
      signal.addEventListener('abort', () =>
        setTimeout(() => {
          log.push('stopped');
          reject(signal.reason);
        }, ms),
      ),
    );

const failSoon =
  (ms = 5) =>
  () =>
    sleep(ms, undefined).then(() => Promise.reject(new Error('boom')));

describe('waitForStop', () => {
  it('gather: by default rejects at once while the aborted sibling is still stopping', async () => {
    const log: string[] = [];
    await gather([slowToStop(log), failSoon()]).catch(() => log.push('settled'));
    await ticks(60);
    expect(log).toEqual(['settled', 'stopped']);
  });

  it('gather: with waitForStop rejects with the same failure only after the sibling stopped', async () => {
    const log: string[] = [];
    const error = await gather([slowToStop(log), failSoon()], { waitForStop: true }).catch((e: Error) => {
      log.push('settled');
      return e;
    });
    expect((error as Error).message).toBe('boom');
    expect(log).toEqual(['stopped', 'settled']);
  });

  it('gather (keyed, limited) with waitForStop waits for the caller’s abort to reach every operation', async () => {
    const log: string[] = [];
    const controller = new AbortController();
    const run = gather(
      { a: slowToStop(log), b: slowToStop(log), c: slowToStop(log) },
      { signal: controller.signal, waitForStop: true, concurrency: 2 },
    );
    setTimeout(() => controller.abort(new Error('bye')), 5);
    await run.catch(() => log.push('settled'));
    expect(log).toEqual(['stopped', 'stopped', 'settled']); // c was never started
  });

  it('gather with a timeout and waitForStop fails with the TimeoutError once the operation stopped', async () => {
    const log: string[] = [];
    const error = await gather([slowToStop(log)], { timeout: 10, waitForStop: true }).catch((e: unknown) => {
      log.push('settled');
      return e;
    });
    expect(error).toBeInstanceOf(TimeoutError);
    expect(log).toEqual(['stopped', 'settled']);

    // Under returnExceptions too: the results are delivered once the timed-out operation stopped.
    const log2: string[] = [];
    const results = await gather([slowToStop(log2), () => 'ok'], {
      timeout: 10,
      waitForStop: true,
      returnExceptions: true,
    });
    log2.push('settled');
    expect(results[1]).toBe('ok');
    expect(log2).toEqual(['stopped', 'settled']);
  });

  it('map: with waitForStop rejects only after the running calls stopped', async () => {
    for (const waitForStop of [false, true]) {
      const log: string[] = [];
      await map([0, 1], (i, { signal }) => (i === 0 ? slowToStop(log)(signal) : failSoon()()), {
        waitForStop,
      }).catch(() => log.push('settled'));
      await ticks(60);
      expect(log).toEqual(waitForStop ? ['stopped', 'settled'] : ['settled', 'stopped']);
    }
  });

  it('mapStream: leaving the loop early with waitForStop resolves return() once the calls stopped', async () => {
    for (const ordered of [true, false]) {
      const log: string[] = [];
      const stream = mapStream(
        [0, 1, 2],
        (i, { signal }) => (i === 0 ? sleep(5, 'first') : slowToStop(log)(signal)),
        { waitForStop: true, ordered },
      );
      for await (const value of stream) {
        expect(value).toBe('first');
        break;
      }
      log.push('left');
      expect(log).toEqual(['stopped', 'stopped', 'left']);
    }
  });

  it('mapStream: a failure is thrown only after the other calls stopped', async () => {
    const log: string[] = [];
    const stream = mapStream([0, 1], (i, { signal }) => (i === 0 ? slowToStop(log)(signal) : failSoon()()), {
      waitForStop: true,
      ordered: false,
    });
    await (async () => {
      for await (const _ of stream);
    })().catch(() => log.push('thrown'));
    expect(log).toEqual(['stopped', 'thrown']);
  });

  it('asCompleted: a failure is thrown, and return() resolves, only after the others stopped', async () => {
    const log: string[] = [];
    await (async () => {
      for await (const _ of asCompleted([slowToStop(log), failSoon()], { waitForStop: true }));
    })().catch(() => log.push('thrown'));
    expect(log).toEqual(['stopped', 'thrown']);

    const log2: string[] = [];
    for await (const _ of asCompleted([() => sleep(5, 1), slowToStop(log2)], { waitForStop: true })) break;
    log2.push('left');
    expect(log2).toEqual(['stopped', 'left']);
  });

  it('wait: an aborted signal rejects only after the operations stopped', async () => {
    const log: string[] = [];
    const controller = new AbortController();
    const run = wait([slowToStop(log), slowToStop(log)], { signal: controller.signal, waitForStop: true });
    controller.abort(new Error('bye'));
    await run.catch(() => log.push('settled'));
    expect(log).toEqual(['stopped', 'stopped', 'settled']);
  });

  it('an operation that ignores its signal holds a waitForStop caller until it finishes (why it is not the default)', async () => {
    const t0 = performance.now();
    await gather([() => sleep(120, 'ignores the signal'), failSoon()], { waitForStop: true }).catch(() => {});
    expect(performance.now() - t0).toBeGreaterThanOrEqual(100);
  });

  it('refuses a non-boolean waitForStop everywhere, naming the option', () => {
    const message = 'The "options.waitForStop" property must be of type boolean';
    expect(() => gather([() => 1], { waitForStop: 1 as never })).toThrow(message);
    expect(() => map([1], (x) => x, { waitForStop: 1 as never })).toThrow(message);
    expect(() => mapStream([1], (x) => x, { waitForStop: 1 as never })).toThrow(message);
    expect(() => asCompleted([() => 1], { waitForStop: 1 as never })).toThrow(message);
    expect(() => wait([() => 1], { waitForStop: 1 as never })).toThrow(message);
  });
});
