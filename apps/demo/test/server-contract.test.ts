import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/server/app.js';
import { userById } from '../src/upstream/data.js';
import { errorCases, viaFetch } from './server-contract-cases.js';
import { expectErrorAnswer, parseRaw, rawExchange, send } from './server-contract-support.js';
import { eventually, type Stack, startStack, trapUnhandledRejections } from './server-helpers.js';

// SERVER.md as a test, part 1: every error answer it documents, sent to the real server over a socket on
// 127.0.0.1, with the server's defaults (2 s deadline). The cases, each quoting the lines of SERVER.md it
// checks, are in server-contract-cases.ts; the routes, the options and the check that SERVER.md and the
// cases agree are in server-contract-doc.test.ts.

trapUnhandledRejections();

let stack: Stack;
let base: string;

beforeAll(async () => {
  stack = await startStack({}, {}, (app) => {
    app.get('/test/boom', () => {
      throw new Error('secret internal detail');
    });
  });
  base = await stack.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await stack?.close();
});
afterEach(async () => {
  await stack.upstream.configure({ latencyMs: 0, failureRate: 0, wordDelayMs: 5 });
});

describe('SERVER.md: "Every error is JSON: { statusCode, error, code, message, details? }"', () => {
  it.each(
    errorCases(() => stack.upstream.url).map(
      (c) => [`${c.method ?? 'GET'} ${String(c.path).slice(0, 60)} (${c.doc})`, c] as const,
    ),
  )('%s', async (_name, c) => {
    expectErrorAnswer(await send(base, c), c, c.method);
  });

  it('accepts the edges of every rule: digits with leading zeros, interval_ms 20 and 5000, n = 100,000,000, a URL of 4,096 characters, a body of 16 KiB', async () => {
    expect(await (await fetch(`${base}/users/007`)).json()).toEqual(userById(7));
    for (const interval of [20, 5000]) {
      const controller = new AbortController();
      const response = await fetch(`${base}/heartbeat?interval_ms=${interval}`, {
        signal: controller.signal,
      });
      expect(response.status).toBe(200);
      controller.abort();
    }
    expect(await (await fetch(`${base}/compute?n=100000000`)).json()).toMatchObject({
      result: 4_999_999_950_000_000,
    });
    const path = '/health?pad=';
    const url = `${path}${'x'.repeat(4096 - path.length)}`;
    expect(url).toHaveLength(4096);
    expect((await fetch(`${base}${url}`)).status).toBe(200);
    const prompt = 'p'.repeat(2000);
    const body = JSON.stringify({ prompt }).padEnd(16 * 1024, ' ');
    expect(Buffer.byteLength(body)).toBe(16 * 1024);
    const answer = await send(base, { method: 'POST', path: '/chat', body });
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('event: done');
  });
});

describe('SERVER.md: requests Node\'s HTTP parser refuses, "in the same JSON format"', () => {
  it('answers 431 (ERR_X_HEADERS_TOO_LARGE) to a request line over 16 KiB, then closes that connection', async () => {
    const pad = 'x'.repeat(20_000);
    const answer = parseRaw(await rawExchange(base, `GET /users/1?pad=${pad} HTTP/1.1\r\nHost: x\r\n\r\n`));
    expect(answer.statusLine).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect(answer.head).toContain('content-type: application/json');
    expect(answer.head).toContain('connection: close');
    expect(answer.body).toEqual({
      statusCode: 431,
      error: 'Request Header Fields Too Large',
      code: 'ERR_X_HEADERS_TOO_LARGE',
      message: 'The request line and headers are larger than 16384 bytes.',
    });
    expect((await fetch(`${base}/health`)).status).toBe(200);
  });

  it('answers 400 (ERR_X_BAD_REQUEST) to a request that is not HTTP, then closes that connection', async () => {
    const answer = parseRaw(await rawExchange(base, 'HELLO THERE\r\n\r\n'));
    expect(answer.statusLine).toBe('HTTP/1.1 400 Bad Request');
    expect(answer.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      code: 'ERR_X_BAD_REQUEST',
      message: 'The request is not valid HTTP.',
    });
  });

  it("answers 408 (ERR_X_REQUEST_TIMEOUT) to headers that do not all arrive within Node's headersTimeout", async () => {
    // Node's defaults (60 s, checked every 30 s) are shortened on a server of its own.
    const app = buildServer({ upstreamUrl: stack.upstream.url });
    expect(app.server.headersTimeout).toBe(60_000);
    app.server.headersTimeout = 300;
    // Read when the server starts listening; missing from @types/node 20's Server type.
    (app.server as { connectionsCheckingInterval?: number }).connectionsCheckingInterval = 50;
    try {
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      const answer = parseRaw(await rawExchange(url, 'GET /health HTTP/1.1\r\nHost: x\r\n'));
      expect(answer.statusLine).toBe('HTTP/1.1 408 Request Timeout');
      expect(answer.body).toEqual({
        statusCode: 408,
        error: 'Request Timeout',
        code: 'ERR_X_REQUEST_TIMEOUT',
        message: 'The request was not received in time.',
      });
    } finally {
      await app.close();
    }
  });
});

describe('SERVER.md: the upstream and the deadline', () => {
  it('answers 502 (ERR_X_UPSTREAM) when the upstream fails, for /users, /dashboard and /fetch', async () => {
    await stack.upstream.configure({ failureRate: 1 });
    for (const path of [
      '/users/1',
      '/dashboard?user_id=1',
      viaFetch(() => stack.upstream.url, '/users/1')(),
    ]) {
      expectErrorAnswer(await send(base, { path }), { status: 502, code: 'ERR_X_UPSTREAM' });
    }
  });

  it('answers 504 (ERR_X_UPSTREAM_TIMEOUT) after the default 2 s deadline, and the upstream sees its requests closed', async () => {
    await stack.upstream.configure({ latencyMs: 30_000 });
    const before = await stack.upstream.stats();
    const started = performance.now();
    const answers = await Promise.all(
      ['/users/1', '/dashboard?user_id=1', viaFetch(() => stack.upstream.url, '/users/1')()].map((path) =>
        send(base, { path }),
      ),
    );
    const took = performance.now() - started;
    for (const answer of answers) {
      expectErrorAnswer(answer, { status: 504, code: 'ERR_X_UPSTREAM_TIMEOUT' });
    }
    // Timer granularity aside, not before 2 s; and well before the upstream's 30 s.
    expect(took).toBeGreaterThanOrEqual(1_950);
    expect(took).toBeLessThan(15_000);
    await eventually(async () => (await stack.upstream.stats()).inFlight === 0);
    expect((await stack.upstream.stats()).abandoned - before.abandoned).toBe(4);
  }, 30_000);
});
