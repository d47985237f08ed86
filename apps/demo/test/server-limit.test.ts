import { afterEach, describe, expect, it } from 'vitest';
import { userById } from '../src/upstream/data.js';
import {
  eventually,
  expectErrorBody,
  readFrames,
  type Stack,
  startStack,
  trapUnhandledRejections,
} from './server-helpers.js';

// SERVER.md, "The shared upstream limit", over a real socket on 127.0.0.1: the calls of /users and
// /dashboard share one `limit()` of @x/locks, whatever the number of requests; the fake upstream counts the
// most requests it had in flight at once. /heartbeat reports the limiter's counts, which the page shows.

trapUnhandledRejections();

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function listen(latencyMs: number, serverOptions: Parameters<typeof startStack>[1]): Promise<string> {
  stack = await startStack({ latencyMs }, serverOptions);
  return stack.app.listen({ port: 0, host: '127.0.0.1' });
}

describe('the shared upstream limit', () => {
  it('is 100 by default', async () => {
    await listen(0, {});
    expect(stack!.app.upstreamLimit.concurrency).toBe(100);
    expect(stack!.app.demo.upstreamConcurrency).toBe(100);
  });

  it('refuses a limit that is not an integer >= 1', async () => {
    const { buildServer } = await import('../src/server/app.js');
    for (const bad of [0, 1.5, -1, Number.NaN]) {
      expect(() => buildServer({ upstreamUrl: 'http://127.0.0.1:1', upstreamConcurrency: bad })).toThrow(
        /options\.upstreamConcurrency/,
      );
    }
  });

  it('lets no more than `limit` calls reach the upstream at once, across many concurrent requests, and all complete', async () => {
    const LIMIT = 3;
    const base = await listen(60, { upstreamConcurrency: LIMIT, timeoutMs: 20_000 });
    // 12 dashboards (two calls each) and 6 users at once: 30 upstream calls through 3 slots.
    const responses = await Promise.all([
      ...Array.from({ length: 12 }, (_, i) => fetch(`${base}/dashboard?user_id=${i + 1}`)),
      ...Array.from({ length: 6 }, (_, i) => fetch(`${base}/users/${i + 100}`)),
    ]);
    const bodies = await Promise.all(responses.map((response) => response.json()));
    expect(responses.map((response) => response.status)).toEqual(responses.map(() => 200));
    expect((bodies[0] as { user: unknown }).user).toEqual(userById(1));
    expect(bodies[12]).toEqual(userById(100));
    const stats = await stack!.upstream.stats();
    expect(stats.requests).toBe(30);
    expect(stats.maxInFlight).toBeLessThanOrEqual(LIMIT);
    expect(stats.maxInFlight).toBeGreaterThan(1); // the calls did run side by side
    expect([stack!.app.upstreamLimit.activeCount, stack!.app.upstreamLimit.pendingCount]).toEqual([0, 0]);
  });

  it('/heartbeat reports the running and queued calls and the limit, as the page shows them', async () => {
    const base = await listen(0, { upstreamConcurrency: 1, timeoutMs: 20_000 });
    const lim = stack!.app.upstreamLimit;
    // Another call holds the only slot until the test lets it go; two requests queue behind it.
    let release = () => {};
    const holder = lim(() => new Promise<void>((resolve) => (release = resolve)));
    const requests = [fetch(`${base}/users/1`), fetch(`${base}/dashboard?user_id=1`)];
    const controller = new AbortController();
    const heartbeat = await fetch(`${base}/heartbeat?interval_ms=20`, { signal: controller.signal });
    const seen: { active: number; pending: number; limit: number }[] = [];
    await readFrames(heartbeat, (frame) => {
      const { upstream } = frame.data as { upstream: (typeof seen)[number] };
      seen.push(upstream);
      return !(upstream.pending === 3);
    });
    controller.abort();
    expect(seen[0]).toMatchObject({ active: 1, limit: 1 });
    expect(seen.at(-1)).toEqual({ active: 1, pending: 3, limit: 1 }); // one /users call, two /dashboard calls
    release();
    await holder;
    expect((await Promise.all(requests)).map((response) => response.status)).toEqual([200, 200]);
    expect((await stack!.upstream.stats()).maxInFlight).toBe(1);
  });

  it('a queued request whose client goes away leaves the queue at once and never reaches the upstream', async () => {
    const base = await listen(0, { upstreamConcurrency: 1, timeoutMs: 20_000 });
    const lim = stack!.app.upstreamLimit;
    let release = () => {};
    const holder = lim(() => new Promise<void>((resolve) => (release = resolve)));
    const client = new AbortController();
    const queued = fetch(`${base}/users/2`, { signal: client.signal });
    await eventually(() => lim.pendingCount === 1);
    client.abort();
    await expect(queued).rejects.toThrow();
    await eventually(() => lim.pendingCount === 0);
    expect(lim.activeCount).toBe(1); // the holder still runs: the queue was left, no slot was taken
    release();
    await holder;
    expect((await stack!.upstream.stats()).requests).toBe(0);
    expect((await fetch(`${base}/users/2`)).status).toBe(200);
  });

  it('a call still queued at the deadline is a 504 and never reaches the upstream', async () => {
    const base = await listen(0, { upstreamConcurrency: 1, timeoutMs: 400 });
    const lim = stack!.app.upstreamLimit;
    // Another call holds the only slot for longer than the request's deadline.
    const holder = lim(() => new Promise((resolve) => setTimeout(resolve, 1500)));
    const queued = await fetch(`${base}/users/2`);
    expect(queued.status).toBe(504);
    expectErrorBody(await queued.json(), 504, 'ERR_X_UPSTREAM_TIMEOUT');
    expect([lim.activeCount, lim.pendingCount]).toEqual([1, 0]); // it left the queue
    await holder;
    expect((await stack!.upstream.stats()).requests).toBe(0);
  });
});
