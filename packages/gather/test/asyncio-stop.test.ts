/**
 * The scenarios of test/asyncio/stop_race_timeout.py (issue 17), run against CPython's asyncio and against
 * @x/gather, with their event traces compared: `waitForStop: true` reproduces asyncio's TaskGroup, `wait_for` per
 * item and "first completed, cancel the rest" exactly; the default (settle at once) is pinned as the documented
 * difference.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { python, runAsyncio, skipNote } from '../../../scripts/test-support/asyncio-trace.js';
import { gather, race } from '../src/index.js';
import { sleep, trapUnhandledRejections } from './helpers.js';

trapUnhandledRejections();

const script = fileURLToPath(new URL('./asyncio/stop_race_timeout.py', import.meta.url));

class OrdersDown extends Error {
  override name = 'OrdersDown';
}

/** The Python `job`: on cancellation it needs `cleanup` ms before it has stopped. */
const job =
  (log: string[], name: string, ms: number, fail = false, cleanup = 30) =>
  async (signal: AbortSignal) => {
    try {
      await sleep(ms, undefined, signal);
    } catch (error) {
      log.push(`${name} cancelled`);
      await sleep(cleanup, undefined);
      log.push(`${name} stopped`);
      throw error;
    }
    if (fail) {
      log.push(`${name} failed`);
      throw new OrdersDown();
    }
    log.push(`${name} finished`);
    return name;
  };

describe.skipIf(python === undefined)(`waitForStop, timeout and race against asyncio${skipNote}`, () => {
  let asyncio: Record<string, string[]> | undefined;
  const expected = async (name: string) => {
    asyncio ??= await runAsyncio<Record<string, string[]>>(script);
    return asyncio[name];
  };

  it('gather with waitForStop: true settles like a TaskGroup: after the cancelled sibling stopped', async () => {
    const log: string[] = [];
    await gather([job(log, 'users', 500), job(log, 'orders', 10, true)], { waitForStop: true }).catch(
      (error: Error) => log.push(`raised ${error.name}`),
    );
    expect(log).toEqual(await expected('task_group'));
  });

  it('documented difference: by default gather raises before the cancelled sibling stopped', async () => {
    const log: string[] = [];
    await gather([job(log, 'users', 500), job(log, 'orders', 10, true)]).catch((error: Error) =>
      log.push(`raised ${error.name}`),
    );
    await sleep(60, undefined);
    expect(log).toEqual(['orders failed', 'users cancelled', 'raised OrdersDown', 'users stopped']);
    expect(await expected('task_group')).toEqual([
      'orders failed',
      'users cancelled',
      'users stopped',
      'raised OrdersDown',
    ]);
  });

  it('a per-operation timeout with waitForStop: true is asyncio.wait_for around each item', async () => {
    const log: string[] = [];
    const results = await gather([job(log, 'slow', 500), job(log, 'fast', 10)], {
      timeout: 50,
      returnExceptions: true,
      waitForStop: true,
    });
    log.push(`results ${results.map((r) => (typeof r === 'string' ? r : (r as Error).name)).join(', ')}`);
    expect(log).toEqual(await expected('wait_for_each'));
  });

  it('race with waitForStop: true is wait(FIRST_COMPLETED) plus cancelling and awaiting the pending tasks', async () => {
    const log: string[] = [];
    const winner = await race([job(log, 'primary', 500), job(log, 'mirror', 10)], { waitForStop: true });
    log.push(`winner ${winner}`);
    expect(log).toEqual(await expected('first_completed'));
  });
});
