import { describe, expect, it } from 'vitest';
import { asCompleted, gather, map, mapStream, wait } from '../src/index.js';
import { abortListeners, sleep, ticks, trapUnhandledRejections } from './helpers.js';

trapUnhandledRejections();

// Issue 21: one long-lived signal (a server's shutdown signal, a request's signal) handed to many calls. Each
// entry point keeps at most one real `abort` listener on it, so removing one call's interest costs O(1)
// instead of a walk of every listener, Node's MaxListenersExceededWarning never fires, and nothing is left
// on the signal once the calls are done.

const CALLS = 200;

/** Names of the warnings Node emitted while `fn` ran (Node emits them on a later tick). */
async function warningsDuring(fn: () => unknown): Promise<string[]> {
  const seen: string[] = [];
  const onWarning = (warning: Error) => seen.push(warning.name);
  process.on('warning', onWarning);
  try {
    await fn();
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', onWarning);
  }
  return seen;
}

/** An operation that stays pending until `release()`, and records whether its signal was aborted. */
function gate() {
  const resolvers: Array<() => void> = [];
  let aborted = 0;
  const op = (signal: AbortSignal) =>
    new Promise<number>((resolve, reject) => {
      resolvers.push(() => resolve(1));
      signal.addEventListener('abort', () => {
        aborted++;
        reject(signal.reason);
      });
    });
  return {
    op,
    release: () => {
      for (const resolve of resolvers.splice(0)) resolve();
    },
    get aborted() {
      return aborted;
    },
  };
}

/** Every entry point, called once on `signal` with one pending operation. */
const entryPoints: Array<
  [string, (op: (signal: AbortSignal) => Promise<number>, signal: AbortSignal) => Promise<unknown>]
> = [
  ['gather', (op, signal) => gather([op], { signal })],
  ['gather (concurrency 1)', (op, signal) => gather([op, op], { signal, concurrency: 1 })],
  ['map', (op, signal) => map([1], (_, { signal: s }) => op(s), { signal })],
  [
    'mapStream',
    async (op, signal) => {
      const out: unknown[] = [];
      for await (const value of mapStream([1], (_, { signal: s }) => op(s), { signal })) out.push(value);
      return out;
    },
  ],
  [
    'asCompleted',
    async (op, signal) => {
      const out: unknown[] = [];
      for await (const value of asCompleted([op], { signal })) out.push(value);
      return out;
    },
  ],
  ['wait', (op, signal) => wait([op], { signal })],
];

describe('many calls on one shared signal', () => {
  for (const [name, call] of entryPoints) {
    it(`${name}: ${CALLS} calls keep one real listener, no MaxListenersExceededWarning, none left after`, async () => {
      const controller = new AbortController();
      const g = gate();
      let calls: Array<Promise<unknown>> = [];
      const warnings = await warningsDuring(async () => {
        calls = Array.from({ length: CALLS }, () => call(g.op, controller.signal));
        await ticks();
      });
      expect(warnings).not.toContain('MaxListenersExceededWarning');
      expect(abortListeners(controller.signal)).toBe(1);
      // Operations started by later lanes (concurrency 1) are released as they start.
      while (
        (await Promise.race([Promise.all(calls).then(() => true), ticks(5).then(() => false)])) === false
      )
        g.release();
      expect(abortListeners(controller.signal)).toBe(0);
      expect(g.aborted).toBe(0);
    });

    it(`${name}: aborting the shared signal rejects every call with its reason and aborts its operations`, async () => {
      const controller = new AbortController();
      const g = gate();
      const calls = Array.from({ length: 20 }, () => call(g.op, controller.signal));
      await ticks();
      const reason = new Error('shutting down');
      controller.abort(reason);
      for (const c of calls) await expect(c).rejects.toBe(reason);
      expect(g.aborted).toBe(20);
      expect(abortListeners(controller.signal)).toBe(0);
    });
  }
});

describe('a caller signal aborted by an operation while it starts', () => {
  // Regression: gather (no limit) and wait subscribed to the signal after starting the operations, so an abort
  // made synchronously by one of them was never seen: the others ran on and the call did not reject.
  it('rejects gather and wait with its reason and aborts the other operations', async () => {
    for (const call of [
      (ops: Array<(s: AbortSignal) => unknown>, signal: AbortSignal) => gather(ops, { signal }),
      (ops: Array<(s: AbortSignal) => unknown>, signal: AbortSignal) => wait(ops, { signal }),
    ]) {
      const controller = new AbortController();
      const reason = new Error('aborted from inside');
      let sibling: AbortSignal | undefined;
      const run = call(
        [
          (signal) => {
            sibling = signal;
            return sleep(200, 1, signal);
          },
          () => {
            controller.abort(reason);
            return 2;
          },
        ],
        controller.signal,
      );
      await expect(run).rejects.toBe(reason);
      expect(sibling?.aborted).toBe(true);
    }
  });
});
