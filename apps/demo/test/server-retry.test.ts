// GET /dashboard/flaky: the dashboard whose orders come from a flaky upstream, fixed by @x/retry within the
// request's deadline.
import { afterEach, describe, expect, it } from 'vitest';
import { ordersOf, userById } from '../src/upstream/data.js';
import { type Stack, startStack } from './server-helpers.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

interface FlakyDashboard {
  user: unknown;
  orders: unknown;
  retry: { attempts: number; failed: Array<{ attempt: number; error: string; waitMs: number }> };
  timing: { totalMs: number };
}

describe('GET /dashboard/flaky', () => {
  it('answers despite the first orders call failing: retry made a second attempt after a short wait', async () => {
    stack = await startStack({ latencyMs: 10 });
    const response = await stack.app.inject('/dashboard/flaky?user_id=4');
    expect(response.statusCode).toBe(200);
    const body = response.json() as FlakyDashboard;
    expect(body.user).toEqual(userById(4));
    expect(body.orders).toEqual(ordersOf(4));
    expect(body.retry.attempts).toBe(2);
    expect(body.retry.failed).toHaveLength(1);
    expect(body.retry.failed[0]).toMatchObject({ attempt: 1, error: expect.stringContaining('HTTP 503') });
    // Full jitter: the wait before the retry is drawn in [0, 50) ms (minDelay 50).
    expect(body.retry.failed[0]!.waitMs).toBeGreaterThanOrEqual(0);
    expect(body.retry.failed[0]!.waitMs).toBeLessThan(50);
    expect((await stack.upstream.stats()).failures).toBe(1);
  });

  it('fails every request afresh (one key per request), and needs no retry with failures=0', async () => {
    stack = await startStack({ latencyMs: 0 });
    const first = (await stack.app.inject('/dashboard/flaky?user_id=2')).json() as FlakyDashboard;
    const second = (await stack.app.inject('/dashboard/flaky?user_id=2')).json() as FlakyDashboard;
    expect([first.retry.attempts, second.retry.attempts]).toEqual([2, 2]);
    const clean = (await stack.app.inject('/dashboard/flaky?user_id=2&failures=0')).json() as FlakyDashboard;
    expect(clean.retry).toEqual({ attempts: 1, failed: [] });
  });

  it('gives up with the last upstream error (502) once the retries are spent', async () => {
    stack = await startStack({ latencyMs: 0 });
    const response = await stack.app.inject('/dashboard/flaky?user_id=1&failures=10');
    expect(response.statusCode).toBe(502);
    expect(response.json()).toMatchObject({ code: 'ERR_X_UPSTREAM' });
    // 1 attempt + 3 retries, each a 503 from the fake.
    expect((await stack.upstream.stats()).failures).toBe(4);
  });

  it("ends with a 504 by the request's deadline, not after the remaining retries", async () => {
    stack = await startStack({ latencyMs: 120 }, { timeoutMs: 300 });
    const started = performance.now();
    const response = await stack.app.inject('/dashboard/flaky?user_id=1&failures=10');
    const took = performance.now() - started;
    expect(response.statusCode).toBe(504);
    expect(response.json()).toMatchObject({ code: 'ERR_X_UPSTREAM_TIMEOUT' });
    // Four attempts of 120 ms would need 480 ms before any wait: retry stopped at the 300 ms deadline.
    expect(took).toBeLessThan(300 + 400);
    expect((await stack.upstream.stats()).failures).toBeLessThanOrEqual(2);
  });

  it('refuses a bad failures count (422)', async () => {
    stack = await startStack();
    const response = await stack.app.inject('/dashboard/flaky?user_id=1&failures=11');
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({ code: 'ERR_X_VALIDATION' });
  });
});
