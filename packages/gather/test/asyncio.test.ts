/**
 * The scenarios of test/asyncio/gather_and_wait.py, run against CPython's asyncio and against @x/gather, with
 * their event traces compared: identical where the README's "asyncio → @x/gather" table says we follow asyncio,
 * and pinned to the documented difference where it says we do not, so table and code cannot drift apart.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { python, runAsyncio, skipNote } from '../../../scripts/test-support/asyncio-trace.js';
import { gather, wait } from '../src/index.js';
import { sleep, trapUnhandledRejections } from './helpers.js';

trapUnhandledRejections();

const script = fileURLToPath(new URL('./asyncio/gather_and_wait.py', import.meta.url));

class OrdersDown extends Error {
  override name = 'OrdersDown';
}

const job =
  (log: string[], name: string, ms: number, fail = false) =>
  async (signal: AbortSignal) => {
    try {
      await sleep(ms, undefined, signal);
    } catch (error) {
      log.push(`${name} cancelled`);
      throw error;
    }
    if (fail) {
      log.push(`${name} failed`);
      throw new OrdersDown();
    }
    log.push(`${name} finished`);
    return name;
  };

describe.skipIf(python === undefined)(`gather and wait against asyncio${skipNote}`, () => {
  let asyncio: Record<string, string[]> | undefined;
  const expected = async (name: string) => {
    asyncio ??= await runAsyncio<Record<string, string[]>>(script);
    return asyncio[name];
  };

  it('returnExceptions: errors in place, results in input order, as asyncio’s return_exceptions=True', async () => {
    const log: string[] = [];
    const results = await gather([job(log, 'users', 20), job(log, 'orders', 10, true)], {
      returnExceptions: true,
    });
    log.push(`results ${results.map((r) => (typeof r === 'string' ? r : (r as Error).name)).join(', ')}`);
    expect(log).toEqual(await expected('return_exceptions'));
  });

  it('an empty gather resolves [], as asyncio.gather() returns []', async () => {
    expect([`results ${JSON.stringify(await gather([]))}`]).toEqual(await expected('empty_gather'));
  });

  it('documented difference: on a failure gather aborts the siblings; asyncio.gather leaves them running', async () => {
    const log: string[] = [];
    await gather([job(log, 'users', 50), job(log, 'orders', 10, true)]).catch((error: unknown) =>
      log.push(`gather raised ${(error as Error).name}`),
    );
    await sleep(80, undefined);
    expect(log).toEqual(['orders failed', 'users cancelled', 'gather raised OrdersDown']);
    expect(await expected('fail_fast')).toEqual([
      'orders failed',
      'gather raised OrdersDown',
      'users finished',
    ]);
  });

  it('documented difference: wait([]) resolves { done: [], pending: [] }; asyncio.wait([]) raises ValueError', async () => {
    expect(await wait([])).toEqual({ done: [], pending: [] });
    expect(await expected('empty_wait')).toEqual(['wait raised ValueError']);
  });
});
