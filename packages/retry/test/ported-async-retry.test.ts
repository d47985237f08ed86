/**
 * async-retry's test suite, ported: https://github.com/vercel/async-retry/blob/master/test/index.js (MIT
 * License, Copyright (c) 2021 Vercel, Inc.). Test names are async-retry's. Its `(bail, attempt)` becomes our
 * `(signal, attempt)`: where a test calls `bail(error)`, ours throws an error named `AbortError` (which
 * `defaultRetryIf` never retries) or answers `false` from `retryIf`. Its fetches of wikipedia.org go to a
 * local server instead (no network in tests): one that drops the first connection, so `fetch` fails with
 * `TypeError: fetch failed` (a network failure, which we retry) and then answers. Its `retryTimeout` is the
 * deadline of the signal (a timeoutScope), which also stops the running attempt. Not ported: "bail + return"
 * (a `bail` function we do not have).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timeoutScope } from '@x/timeout';
import { afterEach, expect, it } from 'vitest';
import { trapUnhandledRejections } from '../../../scripts/test-support/waiters.js';
import { retry } from '../src/index.js';

trapUnhandledRejections();

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
const fast = { minDelay: 1 } as const;

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

/** A local server that destroys the first `drops` connections, then answers 200. */
async function flakyServer(drops: number): Promise<string> {
  let seen = 0;
  server = createServer((req, res) => {
    if (seen++ < drops) req.socket.destroy();
    else res.end('ok');
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

it('return value', async () => {
  const val = await retry(async (_signal, num) => {
    if (num < 2) throw new Error('woot');
    await sleep(50);
    return `woot ${num}`;
  }, fast);
  expect(val).toBe('woot 2');
});

it('return value no await', async () => {
  const val = await retry(async (_signal, num) => num);
  expect(val).toBe(1);
});

it('chained promise', async () => {
  const url = await flakyServer(1);
  const res = await retry(async (signal, num) => {
    if (num < 2) throw new Error('retry');
    return fetch(url, { signal });
  }, fast);
  expect(res.status).toBe(200);
  await res.text();
});

it('chained promise (a dropped connection: fetch failed is a TypeError, and is retried)', async () => {
  const url = await flakyServer(1);
  let attempts = 0;
  const res = await retry(async (signal) => {
    attempts++;
    return fetch(url, { signal });
  }, fast);
  expect(res.status).toBe(200);
  expect(attempts).toBe(2);
  await res.text();
});

it('bail', async () => {
  const error = await retry(
    async (_signal, num) => {
      if (num === 2) throw Object.assign(new Error('Wont retry'), { name: 'AbortError' });
      throw new Error(`Test ${num}`);
    },
    { ...fast, retries: 3 },
  ).catch((e) => e);
  expect(error.message).toBe('Wont retry');
});

it('bail error', async () => {
  let retries = 0;
  const error = await retry(
    async () => {
      retries += 1;
      await sleep(100);
      throw Object.assign(new Error('Wont retry'), { bail: true });
    },
    { ...fast, retries: 3, retryIf: (err) => !(err as { bail?: boolean }).bail },
  ).catch((e) => e);
  expect(error.message).toBe('Wont retry');
  expect(retries).toBe(1);
});

it('with non-async functions', async () => {
  const error = await retry(
    (_signal, num) => {
      throw new Error(`Test ${num}`);
    },
    { ...fast, retries: 2 },
  ).catch((e) => e);
  expect(error.message).toBe('Test 3');
});

it('return non-async', async () => {
  const val = await retry(() => 5);
  expect(val).toBe(5);
});

it('with number of retries', async () => {
  // A port nothing listens on: every fetch fails (ECONNREFUSED, a network error).
  const url = await flakyServer(0);
  await new Promise((resolve) => server!.close(resolve));
  server = undefined;
  let retries = 0;
  const error = await retry((signal) => fetch(url, { signal }), {
    ...fast,
    retries: 2,
    onRetry: (_err, i) => {
      retries = i;
    },
  }).catch((e) => e);
  expect(error).toBeInstanceOf(TypeError);
  expect(error.errors).toHaveLength(3);
  expect(retries).toBe(2);
});

it('with retry timeout', async () => {
  const retryTimeout = 200;
  using scope = timeoutScope(retryTimeout);
  const started = performance.now();
  const error = await retry((signal) => sleep(3000, signal), { ...fast, signal: scope.signal }).catch(
    (e) => e,
  );
  expect(error).toBe(scope.signal.reason);
  expect(error.message).toMatch(new RegExp(`deadline of ${retryTimeout} ms passed`));
  // The attempt was stopped at the deadline, not awaited for its 3 s.
  expect(performance.now() - started).toBeLessThan(2000);
});
