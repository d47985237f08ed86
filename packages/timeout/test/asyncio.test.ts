/**
 * The wait_for scenarios of test/asyncio/wait_for.py, run against CPython's asyncio and against withTimeout,
 * with their event traces compared. `{ waitForStop: true }` follows asyncio's `wait_for` event for event; the
 * default settles at the deadline, a documented difference, whose traces are pinned here too so the README's
 * asyncio table and the code cannot drift apart.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { python, runAsyncio, skipNote } from '../../../scripts/test-support/asyncio-trace.js';
import { TimeoutError, withTimeout } from '../src/index.js';
import { trapUnhandledRejections } from './helpers.js';

trapUnhandledRejections();

const script = fileURLToPath(new URL('./asyncio/wait_for.py', import.meta.url));

class CleanupError extends Error {
  override name = 'CleanupError';
}

type Log = string[];
type Op = (log: Log) => (signal: AbortSignal) => Promise<string>;

const cleansUpSlowly: Op = (log) => async (signal) => {
  try {
    await sleep(10_000, undefined, { signal });
  } catch (error) {
    await sleep(30);
    log.push('cleanup done');
    throw error;
  }
  return 'not cancelled';
};

const swallowsCancellation: Op = (log) => async (signal) => {
  try {
    await sleep(10_000, undefined, { signal });
  } catch {
    await sleep(20);
    log.push('finished anyway');
    return 'late value';
  }
  return 'not cancelled';
};

const failsWhileStopping: Op = (log) => async (signal) => {
  try {
    await sleep(10_000, undefined, { signal });
  } catch {
    log.push('fails while stopping');
    throw new CleanupError();
  }
  return 'not cancelled';
};

async function outcome(log: Log, promise: Promise<unknown>): Promise<unknown> {
  try {
    log.push(`returned ${await promise}`);
  } catch (error) {
    log.push(`raised ${(error as Error).name}`);
    return error;
  }
  return undefined;
}

/** `op` for `log`, and a promise of the moment it has stopped (whatever withTimeout did meanwhile). */
function tracked(op: Op, log: Log) {
  let stopped: Promise<unknown> = Promise.resolve();
  const run = (signal: AbortSignal) => {
    const work = op(log)(signal);
    stopped = work.then(
      () => undefined,
      () => undefined,
    );
    return work;
  };
  return { run, stopped: () => stopped };
}

async function deadline(op: Op, waitForStop: boolean) {
  const log: Log = [];
  const work = tracked(op, log);
  const error = await outcome(log, withTimeout(10, work.run, { waitForStop }));
  // Lets work that outlived its withTimeout finish, so its events are in the log.
  await work.stopped();
  return { log, error };
}

async function callerCancels(waitForStop: boolean) {
  const log: Log = [];
  const controller = new AbortController();
  const cancelled = Object.assign(new Error('the caller was cancelled'), { name: 'CancelledError' });
  setTimeout(() => controller.abort(cancelled), 10);
  const work = tracked(cleansUpSlowly, log);
  await outcome(log, withTimeout(10_000, work.run, { signal: controller.signal, waitForStop }));
  await work.stopped();
  return log;
}

describe.skipIf(python === undefined)(`withTimeout against asyncio.wait_for${skipNote}`, () => {
  let asyncio: Record<string, string[]> | undefined;
  const expected = async (name: string) => {
    asyncio ??= await runAsyncio<Record<string, string[]>>(script);
    return asyncio[name];
  };

  describe('{ waitForStop: true } follows asyncio', () => {
    it('waits for the work to stop before rejecting with TimeoutError (bpo-32751)', async () => {
      const { log } = await deadline(cleansUpSlowly, true);
      expect(log).toEqual(['cleanup done', 'raised TimeoutError']);
      expect(log).toEqual(await expected('cleanup'));
    });

    it('resolves with the value of work that swallowed the cancellation (bpo-40607)', async () => {
      const { log } = await deadline(swallowsCancellation, true);
      expect(log).toEqual(['finished anyway', 'returned late value']);
      expect(log).toEqual(await expected('swallowed'));
    });

    it('rejects with the failure of work that failed while stopping, not with TimeoutError (bpo-40607)', async () => {
      const { log, error } = await deadline(failsWhileStopping, true);
      expect(error).toBeInstanceOf(CleanupError);
      expect(log).toEqual(await expected('fails_while_stopping'));
    });

    it('waits for the work to stop when the caller cancels too, then rejects with the caller’s reason', async () => {
      const log = await callerCancels(true);
      expect(log).toEqual(['cleanup done', 'raised CancelledError']);
      expect(log).toEqual(await expected('caller_cancels'));
    });
  });

  describe('the default settles at the deadline (documented difference)', () => {
    it('rejects with TimeoutError before the work’s cleanup has run', async () => {
      const { log } = await deadline(cleansUpSlowly, false);
      expect(log).toEqual(['raised TimeoutError', 'cleanup done']);
      expect(log).not.toEqual(await expected('cleanup'));
    });

    it('rejects with TimeoutError even if the work finishes anyway; its late value is dropped', async () => {
      const { log } = await deadline(swallowsCancellation, false);
      expect(log).toEqual(['raised TimeoutError', 'finished anyway']);
    });

    it('never loses a failure after the deadline: it becomes the TimeoutError’s cause when it happens', async () => {
      const { log, error } = await deadline(failsWhileStopping, false);
      expect(error).toBeInstanceOf(TimeoutError);
      expect(log).toEqual(['raised TimeoutError', 'fails while stopping']);
      expect((error as TimeoutError).cause).toBeInstanceOf(CleanupError);
    });

    it('rejects with the caller’s reason before the work’s cleanup has run', async () => {
      const log = await callerCancels(false);
      expect(log).toEqual(['raised CancelledError', 'cleanup done']);
    });
  });
});
