import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MIRRORS } from '../src/server/routes/mirrors.js';
import { userById } from '../src/upstream/data.js';
import {
  eventually,
  expectErrorBody,
  type Stack,
  startStack,
  trapUnhandledRejections,
} from './server-helpers.js';

// The "fastest mirror" route (issue 17): `any` from @x/gather asks three mirrors at once and aborts the
// slower ones' requests as soon as one answers. The fake upstream (in its own thread) counts the requests
// its clients closed before the answer was complete (`abandoned`): that is the proof they were aborted.

let stack: Stack;

trapUnhandledRejections();
beforeAll(async () => {
  stack = await startStack({}, { timeoutMs: 2000 });
});
afterAll(async () => {
  await stack?.close();
});
afterEach(async () => {
  await stack.upstream.configure({ latencyMs: 0, failureRate: 0 });
});

const get = (url: string) => stack.app.inject({ method: 'GET', url });
const upstreamIdle = () => eventually(async () => (await stack.upstream.stats()).inFlight === 0);

describe('GET /fastest-mirror', () => {
  it('answers with the nearest mirror and aborts the requests to the slower ones', async () => {
    const before = await stack.upstream.stats();
    const response = await get('/fastest-mirror?user_id=3');
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.user).toEqual(userById(3));
    expect(body.mirror).toBe('nearby');
    // waitForStop: the answer is sent once the losers have stopped, so their outcome is final.
    expect(body.mirrors).toEqual(
      MIRRORS.map((m) => ({ ...m, outcome: m.name === 'nearby' ? 'won' : 'aborted' })),
    );
    // Not a wait for the slow mirrors (300 and 600 ms): they were cut short.
    expect(body.ms).toBeLessThan(300);
    await upstreamIdle();
    const after = await stack.upstream.stats();
    expect(after.requests - before.requests).toBe(3);
    expect(after.abandoned - before.abandoned).toBe(2);
  });

  it('answers 404 when every mirror says the user does not exist', async () => {
    const response = await get('/fastest-mirror?user_id=999999');
    expect(response.statusCode).toBe(404);
    expectErrorBody(response.json(), 404, 'ERR_X_NOT_FOUND');
  });

  it('answers 502 when every mirror fails, and 422 without a user_id', async () => {
    await stack.upstream.configure({ failureRate: 1 });
    const response = await get('/fastest-mirror?user_id=1');
    expect(response.statusCode).toBe(502);
    expectErrorBody(response.json(), 502, 'ERR_X_UPSTREAM');
    await upstreamIdle();
    expect((await get('/fastest-mirror')).statusCode).toBe(422);
  });

  it('answers 504 at the deadline and aborts every mirror request', async () => {
    await stack.upstream.configure({ latencyMs: 10_000 });
    const before = await stack.upstream.stats();
    const response = await get('/fastest-mirror?user_id=1');
    expect(response.statusCode).toBe(504);
    expectErrorBody(response.json(), 504, 'ERR_X_UPSTREAM_TIMEOUT');
    await upstreamIdle();
    const after = await stack.upstream.stats();
    expect(after.requests - before.requests).toBe(3);
    expect(after.abandoned - before.abandoned).toBe(3);
  });
});
