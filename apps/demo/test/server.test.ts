import { once } from 'node:events';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/server/app.js';
import { answerChunks, cannedAnswer, ordersOf, userById } from '../src/upstream/data.js';
import type { ChatStreamEnd } from '../src/upstream/upstream.js';
import {
  eventually,
  expectErrorBody,
  parseSse,
  type Stack,
  startStack,
  trapUnhandledRejections,
} from './server-helpers.js';

// Route tests through Fastify's inject: every route, every bad input, a slow and a failing upstream.
// The upstream fake runs in its own thread (see upstream-thread.ts), as a real service would.

const DEADLINE_MS = 1000;
let stack: Stack;

trapUnhandledRejections();
beforeAll(async () => {
  stack = await startStack({}, { timeoutMs: DEADLINE_MS, chat: { idleTimeoutMs: 1000 } }, (app) => {
    app.get('/test/boom', () => {
      throw new Error('secret internal detail');
    });
  });
});
afterAll(async () => {
  await stack?.close();
});
afterEach(async () => {
  await stack.upstream.configure({ latencyMs: 0, failureRate: 0, wordDelayMs: 5 });
});

const get = (url: string) => stack.app.inject({ method: 'GET', url });

/** After a deadline or a failure, no request to the upstream is left open. */
const upstreamIdle = () => eventually(async () => (await stack.upstream.stats()).inFlight === 0);

describe('buildServer', () => {
  it('refuses options it cannot work with, before anything starts', () => {
    expect(() => buildServer({ upstreamUrl: 'ftp://example.test' })).toThrow(
      /The "options.upstreamUrl" property must be an http\(s\) URL. Received "ftp:\/\/example.test"/,
    );
    expect(() => buildServer({} as never)).toThrow(TypeError);
    expect(() => buildServer(null as never)).toThrow(/The "options" argument must be an object/);
    expect(() => buildServer({ upstreamUrl: 'http://x.test', timeoutMs: 0 })).toThrow(RangeError);
    expect(() => buildServer({ upstreamUrl: 'http://x.test', maxComputeN: 1e12 })).toThrow(RangeError);
    expect(() => buildServer({ upstreamUrl: 'http://x.test', chat: { idleTimeoutMs: -1 } })).toThrow(
      RangeError,
    );
  });
});

describe('the page, /health and errors in general', () => {
  it('serves the page and its two assets with a strict content security policy', async () => {
    const page = await get('/');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.body).toContain('<script src="/app.js"');
    expect((await get('/app.js')).headers['content-type']).toMatch(/^text\/javascript/);
    expect((await get('/style.css')).headers['content-type']).toMatch(/^text\/css/);
  });

  it('answers /health', async () => {
    const response = await get('/health');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'ok' });
  });

  it('offers no HEAD for the event streams, which would stream for nobody: 405 with Allow', async () => {
    const chat = await stack.app.inject({ method: 'HEAD', url: '/chat?prompt=hi' });
    expect(chat.statusCode).toBe(405);
    expect(chat.headers.allow).toBe('GET, POST');
    const heartbeat = await stack.app.inject({ method: 'HEAD', url: '/heartbeat' });
    expect(heartbeat.statusCode).toBe(405);
    expect(heartbeat.headers.allow).toBe('GET');
    expect((await stack.app.inject({ method: 'HEAD', url: '/health' })).statusCode).toBe(200);
  });

  it('answers a known path asked with another method with 405 and the methods it serves in Allow', async () => {
    const response = await stack.app.inject({ method: 'DELETE', url: '/users/1?x=1' });
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe('GET, HEAD');
    expect(response.json()).toEqual({
      statusCode: 405,
      error: 'Method Not Allowed',
      code: 'ERR_X_METHOD_NOT_ALLOWED',
      message: 'DELETE is not allowed on /users/1; allowed: GET, HEAD.',
    });
  });

  it('answers an unknown route with a JSON 404', async () => {
    const response = await get('/no/such/route?x=1');
    expect(response.statusCode).toBe(404);
    expectErrorBody(response.json(), 404, 'ERR_X_ROUTE_NOT_FOUND');
    expect(response.json().message).toBe('No route for GET /no/such/route.');
  });

  it('turns an unexpected error into a bare 500 that reveals nothing', async () => {
    const response = await get('/test/boom');
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      code: 'ERR_X_INTERNAL',
      message: 'Internal server error.',
    });
    expect(response.body).not.toContain('secret');
  });

  it('refuses a request URL longer than 4096 characters with 414', async () => {
    const response = await get(`/users/1?pad=${'x'.repeat(5000)}`);
    expect(response.statusCode).toBe(414);
    expectErrorBody(response.json(), 414, 'ERR_X_URL_TOO_LONG');
  });
});

describe('GET /users/:userId', () => {
  it('returns the user from the upstream', async () => {
    const response = await get('/users/42');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(userById(42));
  });

  it.each([
    ['0', 'must be >= 1'],
    ['-3', 'must be >= 1'],
    ['abc', 'must be integer'],
    ['1.5', 'must be integer'],
    ['99999999999', 'must be <= 2147483647'],
    // The one integer rule of every path and query integer: digits only, though Number() reads these.
    ['1e3', 'must be integer'],
    ['0x10', 'must be integer'],
    ['%205', 'must be integer'],
    ['+5', 'must be integer'],
  ])('answers 422 for the id %j, naming the rule', async (id, rule) => {
    const response = await get(`/users/${id}`);
    expect(response.statusCode).toBe(422);
    expectErrorBody(response.json(), 422, 'ERR_X_VALIDATION');
    expect(response.json().details).toEqual([{ in: 'params', field: 'userId', message: rule }]);
  });

  it('answers 414 in our error format for an id longer than 100 characters, without echoing it', async () => {
    const id = '7'.repeat(101);
    const response = await get(`/users/${id}`);
    expect(response.statusCode).toBe(414);
    expect(response.json()).toEqual({
      statusCode: 414,
      error: 'URI Too Long',
      code: 'ERR_X_PARAM_TOO_LONG',
      message: 'A path parameter is longer than 100 characters.',
    });
    expect(response.body).not.toContain(id);
    // 100 characters is still routed, and refused by the schema instead.
    expect((await get(`/users/${'7'.repeat(100)}`)).statusCode).toBe(422);
  });

  it('answers 400 in our error format for a path that is not valid percent-encoding, without echoing it', async () => {
    const response = await get('/users/%E0%A4%A');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      code: 'ERR_X_BAD_URL',
      message: 'The request path is not a valid URL component.',
    });
    expect(response.body).not.toContain('%E0');
  });

  it('answers 404 for a user the upstream does not know', async () => {
    const response = await get('/users/123456');
    expect(response.statusCode).toBe(404);
    expectErrorBody(response.json(), 404, 'ERR_X_NOT_FOUND');
  });

  it('answers 502 when the upstream fails', async () => {
    await stack.upstream.configure({ failureRate: 1 });
    const response = await get('/users/1');
    expect(response.statusCode).toBe(502);
    expectErrorBody(response.json(), 502, 'ERR_X_UPSTREAM');
    expect(response.json().details).toEqual({ upstreamStatus: 500 });
  });

  it('answers 504 at the deadline and cancels the upstream request', async () => {
    await stack.upstream.configure({ latencyMs: 10_000 });
    const before = await stack.upstream.stats();
    const started = performance.now();
    const response = await get('/users/1');
    expect(response.statusCode).toBe(504);
    expect(performance.now() - started).toBeLessThan(DEADLINE_MS + 3000);
    expectErrorBody(response.json(), 504, 'ERR_X_UPSTREAM_TIMEOUT');
    await upstreamIdle();
    expect((await stack.upstream.stats()).abandoned).toBe(before.abandoned + 1);
  });

  it('answers 502 when the upstream cannot be reached at all', async () => {
    const closed = await startStack();
    const orphan = buildServer({ upstreamUrl: closed.upstream.url });
    await closed.close();
    try {
      const response = await orphan.inject('/users/1');
      expect(response.statusCode).toBe(502);
      expectErrorBody(response.json(), 502, 'ERR_X_UPSTREAM');
      expect(response.json().message).toBe('The upstream could not be reached.');
    } finally {
      await orphan.close();
    }
  });
});

describe('GET /dashboard', () => {
  it('fetches the user and the orders at once, and says how long each way takes', async () => {
    await stack.upstream.configure({ latencyMs: 200 });
    const response = await get('/dashboard?user_id=5');
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.user).toEqual(userById(5));
    expect(body.orders).toEqual(ordersOf(5));
    const { gatheredMs, sequentialMs, userMs, ordersMs } = body.timing;
    expect(userMs).toBeGreaterThanOrEqual(190);
    expect(ordersMs).toBeGreaterThanOrEqual(190);
    expect(sequentialMs).toBeCloseTo(userMs + ordersMs, 0);
    // Gathered is about one round trip; one after the other would be two.
    expect(gatheredMs).toBeLessThan(0.8 * sequentialMs);
  });

  it.each([
    ['', "must have required property 'user_id'"],
    ['?user_id=', 'must be integer'],
    ['?user_id=zero', 'must be integer'],
    ['?user_id=0', 'must be >= 1'],
    ['?user_id=1&user_id=2', 'must be integer'],
  ])('answers 422 for the query %j', async (query, rule) => {
    const response = await get(`/dashboard${query}`);
    expect(response.statusCode).toBe(422);
    expectErrorBody(response.json(), 422, 'ERR_X_VALIDATION');
    expect(response.json().details[0].message).toBe(rule);
  });

  it('answers 404 for an unknown user', async () => {
    const response = await get('/dashboard?user_id=999999');
    expect(response.statusCode).toBe(404);
    expectErrorBody(response.json(), 404, 'ERR_X_NOT_FOUND');
  });

  it('answers 502 when the upstream fails, leaving nothing running', async () => {
    await stack.upstream.configure({ failureRate: 1 });
    const response = await get('/dashboard?user_id=1');
    expect(response.statusCode).toBe(502);
    expectErrorBody(response.json(), 502, 'ERR_X_UPSTREAM');
    await upstreamIdle();
  });

  it('answers 504 at the deadline and cancels both upstream requests', async () => {
    await stack.upstream.configure({ latencyMs: 10_000 });
    const before = await stack.upstream.stats();
    const response = await get('/dashboard?user_id=1');
    expect(response.statusCode).toBe(504);
    expectErrorBody(response.json(), 504, 'ERR_X_UPSTREAM_TIMEOUT');
    await upstreamIdle();
    const after = await stack.upstream.stats();
    expect(after.requests - before.requests).toBe(2);
    expect(after.abandoned - before.abandoned).toBe(2);
  });
});

describe('GET /compute', () => {
  it('sums 0..n-1 with toThread by default', async () => {
    const response = await get('/compute?n=1000000');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ n: 1_000_000, mode: 'thread', result: 499_999_500_000 });
  });

  it('sums on the main thread when asked to, with the same result', async () => {
    const response = await get('/compute?n=10&mode=main');
    expect(response.json()).toMatchObject({ n: 10, mode: 'main', result: 45 });
  });

  it('handles n = 0 and the largest n exactly', async () => {
    expect((await get('/compute?n=0')).json().result).toBe(0);
    const largest = await get('/compute?n=100000000');
    expect(largest.json().result).toBe(4_999_999_950_000_000);
  });

  it.each([
    ['', "must have required property 'n'"],
    ['?n=-1', 'must be >= 0'],
    ['?n=100000001', 'must be <= 100000000'],
    ['?n=1e3x', 'must be integer'],
    ['?n=10&mode=gpu', 'must be equal to one of the allowed values'],
    // Blank and non-digit text that the schema's type coercion alone would turn into a number.
    ['?n=%20', 'must be integer'],
    ['?n=%20%20%20', 'must be integer'],
    ['?n=%09', 'must be integer'],
    ['?n=%205', 'must be integer'],
    ['?n=5%20', 'must be integer'],
    ['?n=1e3', 'must be integer'],
    ['?n=0x10', 'must be integer'],
    ['?n=%2B5', 'must be integer'],
  ])('answers 422 for the query %j', async (query, rule) => {
    const response = await get(`/compute${query}`);
    expect(response.statusCode).toBe(422);
    expectErrorBody(response.json(), 422, 'ERR_X_VALIDATION');
    expect(response.json().details[0].message).toBe(rule);
  });
});

describe('GET /fetch', () => {
  const fetchUrl = (url: string) => get(`/fetch?url=${encodeURIComponent(url)}`);

  it('fetches a URL on the allowlist and returns its JSON', async () => {
    const response = await fetchUrl(`${stack.upstream.url}/users/3`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ url: `${stack.upstream.url}/users/3`, status: 200, body: userById(3) });
  });

  it.each([
    ['http://169.254.169.254/latest/meta-data', /is not on this server's allowlist/],
    ['http://localhost:1/', /is not on this server's allowlist/],
    ['http://10.0.0.1/admin', /is not on this server's allowlist/],
    ['file:///etc/passwd', /Only http and https URLs may be fetched. Received a file: URL/],
    ['data:application/json,{}', /Only http and https/],
  ])('refuses %s with 403 without contacting it', async (url, message) => {
    const response = await fetchUrl(url);
    expect(response.statusCode).toBe(403);
    expectErrorBody(response.json(), 403, 'ERR_X_URL_NOT_ALLOWED');
    expect(response.json().message).toMatch(message);
  });

  it('refuses the allowed origin reached through another name or with credentials', async () => {
    const port = new URL(stack.upstream.url).port;
    expect((await fetchUrl(`http://localhost:${port}/users/1`)).statusCode).toBe(403);
    expect((await fetchUrl(`http://user:pw@127.0.0.1:${port}/users/1`)).statusCode).toBe(403);
  });

  it('answers 422 for a missing, relative, or over-long URL', async () => {
    for (const query of ['', '?url=', '?url=%2Fusers%2F1', `?url=${'a'.repeat(2049)}`]) {
      const response = await get(`/fetch${query}`);
      expect(response.statusCode, query).toBe(422);
      expectErrorBody(response.json(), 422, 'ERR_X_VALIDATION');
    }
  });

  it('does not follow a redirect (it could leave the allowlist)', async () => {
    const response = await fetchUrl(`${stack.upstream.url}/moved?to=http://169.254.169.254/`);
    expect(response.statusCode).toBe(502);
    expect(response.json().message).toMatch(/redirect \(302\), which is not followed/);
  });

  it('answers 502 for an answer that is not JSON, or an error status', async () => {
    const text = await fetchUrl(`${stack.upstream.url}/text`);
    expect(text.statusCode).toBe(502);
    expect(text.json().message).toBe('The upstream did not answer with JSON.');
    const missing = await fetchUrl(`${stack.upstream.url}/users/999999`);
    expect(missing.statusCode).toBe(502);
    expect(missing.json().details).toEqual({ upstreamStatus: 404 });
  });

  it('answers 502 for an answer over 1 MiB instead of buffering it', async () => {
    const response = await fetchUrl(`${stack.upstream.url}/large`);
    expect(response.statusCode).toBe(502);
    expect(response.json().message).toBe('The upstream answer is larger than 1048576 bytes.');
  });

  it('answers 504 at the deadline and cancels the request', async () => {
    await stack.upstream.configure({ latencyMs: 10_000 });
    const response = await fetchUrl(`${stack.upstream.url}/users/1`);
    expect(response.statusCode).toBe(504);
    await upstreamIdle();
  });
});

describe('/chat', () => {
  it('streams the answer as Server-Sent Events, piece by piece, then a done event', async () => {
    const prompt = 'What does gather do?';
    const ended = once(stack.upstream.events, 'chat-stream-end');
    const response = await get(`/chat?prompt=${encodeURIComponent(prompt)}`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    const frames = parseSse(response.body);
    const pieces = frames
      .filter((f) => f.event === 'message')
      .map((f) => (f.data as { delta: string }).delta);
    expect(pieces).toEqual(answerChunks(cannedAnswer(prompt)));
    expect(frames.at(-1)).toEqual({ event: 'done', data: { pieces: pieces.length } });
    const [end] = (await ended) as [ChatStreamEnd];
    expect(end).toMatchObject({ completed: true, prompt });
  });

  it('accepts the prompt as a JSON body too', async () => {
    const response = await stack.app.inject({ method: 'POST', url: '/chat', payload: { prompt: 'hi' } });
    expect(response.statusCode).toBe(200);
    const text = parseSse(response.body)
      .filter((f) => f.event === 'message')
      .map((f) => (f.data as { delta: string }).delta)
      .join('');
    expect(text).toBe(cannedAnswer('hi'));
  });

  it.each([
    ['no prompt', '', "must have required property 'prompt'"],
    ['an empty prompt', '?prompt=', 'must NOT have fewer than 1 characters'],
    ['a prompt of 2001 characters', `?prompt=${'a'.repeat(2001)}`, 'must NOT have more than 2000 characters'],
  ])('answers 422 for %s', async (_name, query, rule) => {
    const response = await get(`/chat${query}`);
    expect(response.statusCode).toBe(422);
    expect(response.json().details[0].message).toBe(rule);
  });

  it('refuses bad bodies: too large (413), not JSON (400), another type, text/plain too (415), unknown fields, named (422)', async () => {
    const post = (payload: string, type = 'application/json') =>
      stack.app.inject({ method: 'POST', url: '/chat', payload, headers: { 'content-type': type } });
    const large = await post(JSON.stringify({ prompt: 'x'.repeat(20_000) }));
    expect(large.statusCode).toBe(413);
    expectErrorBody(large.json(), 413, 'ERR_X_BODY_TOO_LARGE');
    const broken = await post('{"prompt": ');
    expect(broken.statusCode).toBe(400);
    expectErrorBody(broken.json(), 400, 'ERR_X_BAD_JSON');
    expect(broken.body).not.toContain('"prompt": ');
    for (const type of ['application/x-www-form-urlencoded', 'text/plain']) {
      const other = await post('prompt=hi', type);
      expect(other.statusCode, type).toBe(415);
      expectErrorBody(other.json(), 415, 'ERR_X_UNSUPPORTED_MEDIA_TYPE');
    }
    const extra = await post(JSON.stringify({ prompt: 'hi', admin: true }));
    expect(extra.statusCode).toBe(422);
    expect(extra.json().message).toBe("body must NOT have additional property 'admin'");
    expect(extra.json().details).toEqual([
      { in: 'body', field: 'admin', message: 'must NOT have additional properties' },
    ]);
  });

  it('answers 502 JSON when the chat API fails before the first word', async () => {
    await stack.upstream.configure({ failureRate: 1 });
    const response = await get('/chat?prompt=hello');
    expect(response.statusCode).toBe(502);
    expectErrorBody(response.json(), 502, 'ERR_X_UPSTREAM');
    expect(response.json().message).toBe('The chat API answered with HTTP 500.');
  });

  it('answers 504 JSON when the chat API stays silent past the idle timeout, and closes its stream', async () => {
    await stack.upstream.configure({ wordDelayMs: 10_000 });
    const ended = once(stack.upstream.events, 'chat-stream-end');
    const response = await get('/chat?prompt=hello');
    expect(response.statusCode).toBe(504);
    expect(response.json().message).toBe('The chat API sent nothing for 1000 ms.');
    const [end] = (await ended) as [ChatStreamEnd];
    expect(end).toMatchObject({ completed: false, chunksSent: 0 });
    await upstreamIdle();
  });
});
