import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { request as httpRequest, STATUS_CODES } from 'node:http';
import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/server/app.js';
import { resolveServeConfig } from '../src/server/cli.js';
import { userById } from '../src/upstream/data.js';
import { eventually, readFrames, type Stack, startStack, trapUnhandledRejections } from './server-helpers.js';

// SERVER.md as a test. Each case below quotes the line of SERVER.md it checks and runs against the real
// server over a socket on 127.0.0.1, with the server's defaults (2 s deadline). The last block keeps the
// document and this file in step: every status and every ERR_X code SERVER.md names has a case here, and
// every ERR_X code the server's source can answer with is named in SERVER.md.

trapUnhandledRejections();

const SERVER_MD = readFileSync(new URL('../SERVER.md', import.meta.url), 'utf8');

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

/** What a case sends. `path` may depend on the upstream's URL. */
interface Sent {
  method?: string;
  path: string | (() => string);
  body?: string;
  /** Content type of `body`; `null` sends the body with no Content-Type header at all. */
  type?: string | null;
}

/** What SERVER.md promises for it. */
interface Promised {
  status: number;
  code: string;
  /** The `Allow` header of a 405. */
  allow?: string;
  details?: unknown;
  message?: string | RegExp;
  /** Text of the request that must not come back in the answer. */
  notEchoed?: string;
}

interface Case extends Sent, Promised {
  doc: string;
}

/** Sends a request over a real socket with node:http, so that any header (or none) can be sent. */
async function send({ method = 'GET', path, body, type = 'application/json' }: Sent) {
  const url = new URL(typeof path === 'function' ? path() : path, base);
  const headers: Record<string, string | number> = {};
  if (body !== undefined) {
    headers['content-length'] = Buffer.byteLength(body);
    if (type !== null) headers['content-type'] = type;
  }
  const req = httpRequest(url, { method, headers });
  req.end(body);
  const [res] = (await once(req, 'response')) as [import('node:http').IncomingMessage];
  let text = '';
  for await (const chunk of res) text += String(chunk);
  return { status: res.statusCode!, headers: res.headers, text };
}

/** The promised error answer: JSON in our format, the promised status, code and headers, nothing internal. */
function expectErrorAnswer(answer: Awaited<ReturnType<typeof send>>, promised: Promised, method = 'GET') {
  expect(answer.status).toBe(promised.status);
  expect(answer.headers['content-type']).toMatch(/^application\/json/);
  if (promised.allow !== undefined) expect(answer.headers.allow).toBe(promised.allow);
  if (promised.notEchoed !== undefined) expect(answer.text).not.toContain(promised.notEchoed);
  if (method === 'HEAD') return;
  const body = JSON.parse(answer.text) as Record<string, unknown>;
  expect(Object.keys(body).filter((key) => key !== 'details')).toEqual([
    'statusCode',
    'error',
    'code',
    'message',
  ]);
  expect(body).toMatchObject({
    statusCode: promised.status,
    error: STATUS_CODES[promised.status],
    code: promised.code,
  });
  expect(typeof body.message).toBe('string');
  if (promised.message !== undefined) expect(body.message).toMatch(promised.message);
  if (promised.details !== undefined) expect(body.details).toEqual(promised.details);
  expect(answer.text).not.toMatch(/\bat .+\.(ts|js):\d+|stack|node_modules/);
}

const rule = (where: string, field: string, message: string) => [{ in: where, field, message }];
const upstream = (path: string) => () => `/fetch?url=${encodeURIComponent(`${stack.upstream.url}${path}`)}`;

const CASES: Case[] = [
  // "Schema violations return **422**, as FastAPI does, and `details` names the field and the rule. This
  // covers a missing `user_id`, `user_id=0`, `n=-1`, a prompt of 2,001 characters and unknown body fields."
  ...(
    [
      ['/dashboard', 'querystring', 'user_id', "must have required property 'user_id'"],
      ['/dashboard?user_id=0', 'querystring', 'user_id', 'must be >= 1'],
      ['/compute?n=-1', 'querystring', 'n', 'must be >= 0'],
      ['/compute?n=100000001', 'querystring', 'n', 'must be <= 100000000'],
      [
        `/chat?prompt=${'a'.repeat(2001)}`,
        'querystring',
        'prompt',
        'must NOT have more than 2000 characters',
      ],
      ['/compute?n=10&mode=gpu', 'querystring', 'mode', 'must be equal to one of the allowed values'],
      ['/users/0', 'params', 'userId', 'must be >= 1'],
    ] as const
  ).map(([path, where, field, message]) => ({
    doc: 'schema violation',
    path,
    status: 422,
    code: 'ERR_X_VALIDATION',
    details: rule(where, field, message),
  })),
  {
    doc: 'a prompt of 2,001 characters (body)',
    method: 'POST',
    path: '/chat',
    body: JSON.stringify({ prompt: 'a'.repeat(2001) }),
    status: 422,
    code: 'ERR_X_VALIDATION',
    details: rule('body', 'prompt', 'must NOT have more than 2000 characters'),
  },
  {
    doc: 'unknown body fields: `details` names the field, and so does the message',
    method: 'POST',
    path: '/chat',
    body: JSON.stringify({ prompt: 'hi', admin: true }),
    status: 422,
    code: 'ERR_X_VALIDATION',
    details: rule('body', 'admin', 'must NOT have additional properties'),
    message: "body must NOT have additional property 'admin'",
  },
  {
    doc: 'The JSON body is not coerced: a number is not a string',
    method: 'POST',
    path: '/chat',
    body: JSON.stringify({ prompt: 5 }),
    status: 422,
    code: 'ERR_X_VALIDATION',
    details: rule('body', 'prompt', 'must be string'),
  },
  {
    doc: 'A `POST /chat` without a body is a 422 too',
    method: 'POST',
    path: '/chat',
    status: 422,
    code: 'ERR_X_VALIDATION',
    details: [{ in: 'body', message: 'must be object' }],
  },
  {
    doc: 'a URL that does not parse is a 422',
    path: '/fetch?url=%2Fusers%2F1',
    status: 422,
    code: 'ERR_X_VALIDATION',
  },
  // "An integer in a path or a query string (`:userId`, `user_id`, `n`, `interval_ms`) must be written in
  // digits, with an optional minus: a blank value (`?n=%20`), `1e3`, `0x10`, ` 5` or `+5` is a 422 too"
  ...['%20', '1e3', '0x10', '%205', '%2B5', '5%20', '1.5'].flatMap((text) =>
    (
      [
        [`/users/${text}`, 'params', 'userId'],
        [`/dashboard?user_id=${text}`, 'querystring', 'user_id'],
        [`/compute?n=${text}`, 'querystring', 'n'],
        [`/heartbeat?interval_ms=${text}`, 'querystring', 'interval_ms'],
      ] as const
    ).map(([path, where, field]) => ({
      doc: 'one strict integer rule',
      path,
      status: 422,
      code: 'ERR_X_VALIDATION',
      details: rule(where, field, 'must be integer'),
    })),
  ),
  // "`GET /heartbeat?interval_ms=` ... `interval_ms` is an integer from 20 to 5,000 (default 100)"
  {
    doc: 'interval_ms below 20',
    path: '/heartbeat?interval_ms=19',
    status: 422,
    code: 'ERR_X_VALIDATION',
    details: rule('querystring', 'interval_ms', 'must be >= 20'),
  },
  {
    doc: 'interval_ms above 5,000',
    path: '/heartbeat?interval_ms=5001',
    status: 422,
    code: 'ERR_X_VALIDATION',
    details: rule('querystring', 'interval_ms', 'must be <= 5000'),
  },
  // "An unknown user returns **404**" (and a path no route serves, under any method)
  { doc: 'unknown user', path: '/users/123456', status: 404, code: 'ERR_X_NOT_FOUND' },
  {
    doc: 'unknown route',
    path: '/no/such/route?x=1',
    status: 404,
    code: 'ERR_X_ROUTE_NOT_FOUND',
    message: 'No route for GET /no/such/route.',
  },
  // "A known path asked with a method it does not serve returns **405** with an `Allow` header"
  ...(
    [
      ['DELETE', '/health', 'GET, HEAD'],
      ['POST', '/users/1', 'GET, HEAD'],
      ['PUT', '/chat', 'GET, POST'],
      ['POST', '/dashboard?user_id=1', 'GET, HEAD'],
      // The event streams offer no HEAD, which would stream for nobody.
      ['HEAD', '/chat?prompt=hi', 'GET, POST'],
      ['HEAD', '/heartbeat', 'GET'],
    ] as const
  ).map(([method, path, allow]) => ({
    doc: 'wrong method',
    method,
    path,
    status: 405,
    code: 'ERR_X_METHOD_NOT_ALLOWED',
    allow,
    message: `${method} is not allowed on ${path.split('?')[0]}; allowed: ${allow}.`,
  })),
  // "A URL outside the allowlist, a `file:` URL or a URL with credentials returns **403**"
  {
    doc: 'outside the allowlist',
    path: `/fetch?url=${encodeURIComponent('http://10.0.0.1/admin')}`,
    status: 403,
    code: 'ERR_X_URL_NOT_ALLOWED',
  },
  {
    doc: 'a file: URL',
    path: `/fetch?url=${encodeURIComponent('file:///etc/passwd')}`,
    status: 403,
    code: 'ERR_X_URL_NOT_ALLOWED',
  },
  {
    doc: 'a URL with credentials',
    path: () => `/fetch?url=${encodeURIComponent(stack.upstream.url.replace('//', '//user:pw@'))}`,
    status: 403,
    code: 'ERR_X_URL_NOT_ALLOWED',
  },
  // "A request URL longer than 4,096 characters returns **414** (`ERR_X_URL_TOO_LONG`), and so does a path
  // parameter longer than 100 characters ... (`ERR_X_PARAM_TOO_LONG`)."
  {
    doc: 'URL over 4,096 characters',
    path: `/users/1?pad=${'x'.repeat(4096)}`,
    status: 414,
    code: 'ERR_X_URL_TOO_LONG',
    notEchoed: 'xxxx',
  },
  {
    doc: 'path parameter over 100 characters',
    path: `/users/${'9'.repeat(101)}`,
    status: 414,
    code: 'ERR_X_PARAM_TOO_LONG',
    notEchoed: '9'.repeat(101),
  },
  // "A path that is not valid percent-encoding returns **400** (`ERR_X_BAD_URL`). Neither answer repeats the path."
  {
    doc: 'bad percent-encoding',
    path: '/users/%E0%A4%A',
    status: 400,
    code: 'ERR_X_BAD_URL',
    notEchoed: '%E0',
  },
  // "A body over 16 KiB returns **413** (`ERR_X_BODY_TOO_LARGE`). Malformed JSON returns **400**
  // (`ERR_X_BAD_JSON`), without quoting the body"
  {
    doc: 'body over 16 KiB',
    method: 'POST',
    path: '/chat',
    body: JSON.stringify({ prompt: 'x'.repeat(16 * 1024) }),
    status: 413,
    code: 'ERR_X_BODY_TOO_LARGE',
  },
  {
    doc: 'malformed JSON',
    method: 'POST',
    path: '/chat',
    body: '{"prompt": secret-text',
    status: 400,
    code: 'ERR_X_BAD_JSON',
    notEchoed: 'secret',
  },
  { doc: 'empty JSON body', method: 'POST', path: '/chat', body: '', status: 400, code: 'ERR_X_BAD_JSON' },
  // "a body of another content type (`text/plain` included), or of none, returns **415**
  // (`ERR_X_UNSUPPORTED_MEDIA_TYPE`)"
  ...[
    'text/plain',
    'text/plain; charset=utf-8',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    null,
  ].map((type) => ({
    doc: `body of type ${type}`,
    method: 'POST',
    path: '/chat',
    body: type === 'application/x-www-form-urlencoded' ? 'prompt=hi' : '{"prompt":"hi"}',
    type,
    status: 415,
    code: 'ERR_X_UNSUPPORTED_MEDIA_TYPE',
    message: 'The request body must be JSON, sent with "Content-Type: application/json".',
  })),
  // "An upstream that fails, redirects, or answers with something other than JSON returns **502**"
  {
    doc: 'upstream redirects',
    path: upstream('/moved?to=http://10.0.0.1/'),
    status: 502,
    code: 'ERR_X_UPSTREAM',
  },
  { doc: 'upstream answers text', path: upstream('/text'), status: 502, code: 'ERR_X_UPSTREAM' },
  // "`GET /fetch?url=` ... The body must be JSON and is bounded in size."
  {
    doc: 'fetched body over 1 MiB',
    path: upstream('/large'),
    status: 502,
    code: 'ERR_X_UPSTREAM',
    message: 'The upstream answer is larger than 1048576 bytes.',
  },
  // "A stack trace never reaches the client": an unexpected error is a bare **500**.
  {
    doc: 'unexpected error',
    path: '/test/boom',
    status: 500,
    code: 'ERR_X_INTERNAL',
    message: 'Internal server error.',
    notEchoed: 'secret',
  },
];

describe('SERVER.md: "Every error is JSON: { statusCode, error, code, message, details? }"', () => {
  it.each(CASES.map((c) => [`${c.method ?? 'GET'} ${String(c.path).slice(0, 60)} (${c.doc})`, c] as const))(
    '%s',
    async (_name, c) => {
      expectErrorAnswer(await send(c), c, c.method);
    },
  );

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
    const body = JSON.stringify({ prompt, pad: undefined }).padEnd(16 * 1024, ' ');
    expect(Buffer.byteLength(body)).toBe(16 * 1024);
    const answer = await send({ method: 'POST', path: '/chat', body });
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('event: done');
  });
});

/** Writes raw bytes to the server and returns everything it answers, once it closes the connection. */
async function rawExchange(bytes: string, url = base): Promise<string> {
  const { port } = new URL(url);
  const socket = connect(Number(port), '127.0.0.1');
  let text = '';
  socket.on('data', (chunk) => {
    text += String(chunk);
  });
  socket.write(bytes);
  await once(socket, 'close');
  return text;
}

function parseRaw(text: string) {
  const [head = '', body = ''] = text.split('\r\n\r\n');
  return { statusLine: head.split('\r\n')[0], head: head.toLowerCase(), body: JSON.parse(body) as unknown };
}

describe('SERVER.md: requests Node\'s HTTP parser refuses, "in the same JSON format"', () => {
  it('answers 431 (ERR_X_HEADERS_TOO_LARGE) to a request line over 16 KiB, then closes that connection', async () => {
    const pad = 'x'.repeat(20_000);
    const answer = parseRaw(await rawExchange(`GET /users/1?pad=${pad} HTTP/1.1\r\nHost: x\r\n\r\n`));
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
    const answer = parseRaw(await rawExchange('HELLO THERE\r\n\r\n'));
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
      const answer = parseRaw(await rawExchange('GET /health HTTP/1.1\r\nHost: x\r\n', url));
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
    for (const path of ['/users/1', '/dashboard?user_id=1', upstream('/users/1')()]) {
      expectErrorAnswer(await send({ path }), { status: 502, code: 'ERR_X_UPSTREAM' });
    }
  });

  it('answers 504 (ERR_X_UPSTREAM_TIMEOUT) after the default 2 s deadline, and the upstream sees its requests closed', async () => {
    await stack.upstream.configure({ latencyMs: 30_000 });
    const before = await stack.upstream.stats();
    const started = performance.now();
    const answers = await Promise.all(
      ['/users/1', '/dashboard?user_id=1', upstream('/users/1')()].map((path) => send({ path })),
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

describe('SERVER.md: the routes table', () => {
  it('GET / is the web page', async () => {
    const response = await fetch(`${base}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('GET /users/:userId is one user from the upstream, where ids 1 to 10,000 exist', async () => {
    expect(await (await fetch(`${base}/users/42`)).json()).toEqual(userById(42));
    expect(await (await fetch(`${base}/users/10000`)).json()).toEqual(userById(10_000));
    expectErrorAnswer(await send({ path: '/users/10001' }), { status: 404, code: 'ERR_X_NOT_FOUND' });
  });

  it('GET /dashboard?user_id= has the user, their orders, timing.gatheredMs and timing.sequentialMs', async () => {
    const body = (await (await fetch(`${base}/dashboard?user_id=3`)).json()) as Record<string, never>;
    expect(body.user).toEqual(userById(3));
    expect(Array.isArray(body.orders)).toBe(true);
    expect(body.timing).toMatchObject({ gatheredMs: expect.any(Number), sequentialMs: expect.any(Number) });
  });

  it('GET /compute?n=&mode= is sum(range(n)), on a thread by default and on the event loop with mode=main', async () => {
    expect(await (await fetch(`${base}/compute?n=10`)).json()).toMatchObject({ mode: 'thread', result: 45 });
    expect(await (await fetch(`${base}/compute?n=10&mode=main`)).json()).toMatchObject({
      mode: 'main',
      result: 45,
    });
  });

  it("GET /fetch?url= fetches JSON from an origin on the allowlist (the upstream's by default)", async () => {
    const response = await fetch(`${base}${upstream('/users/3')()}`);
    expect(await response.json()).toEqual({
      url: `${stack.upstream.url}/users/3`,
      status: 200,
      body: userById(3),
    });
  });

  it('GET /chat?prompt= and POST /chat {"prompt"} stream Server-Sent Events', async () => {
    for (const answer of [
      await send({ path: '/chat?prompt=hi' }),
      await send({ method: 'POST', path: '/chat', body: '{"prompt":"hi"}' }),
    ]) {
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      expect(answer.text).toContain('event: done');
    }
  });

  it('GET /heartbeat streams delayMs once per interval, every 100 ms by default', async () => {
    const controller = new AbortController();
    const response = await fetch(`${base}/heartbeat`, { signal: controller.signal });
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const samples: { t: number; delayMs: number }[] = [];
    await readFrames(response, (frame) => {
      samples.push(frame.data as { t: number; delayMs: number });
      return samples.length < 4;
    });
    controller.abort();
    expect(samples.every((sample) => sample.delayMs >= 0)).toBe(true);
    // Three intervals of 100 ms (not 20, the smallest): at least 250 ms apart, allowing for timer slack.
    expect(samples.at(-1)!.t - samples[0]!.t).toBeGreaterThanOrEqual(250);
  });

  it('GET /health is liveness', async () => {
    expect(await (await fetch(`${base}/health`)).json()).toMatchObject({ status: 'ok' });
  });
});

describe('SERVER.md: the options of `pnpm demo serve`', () => {
  /** The Default column of the options table, by the option's first word (`--port`). */
  const tableDefaults = new Map(
    [...SERVER_MD.matchAll(/^\| `(--[a-z-]+)[^|]*\| ([^|]+) \|/gm)].map((m) => [m[1]!, m[2]!.trim()]),
  );

  it('uses the defaults the table gives, with nothing set', () => {
    const config = resolveServeConfig([], {});
    expect(Object.fromEntries(tableDefaults)).toEqual({
      '--port': `\`${config.port}\``,
      '--host': `\`${config.host}\``,
      '--upstream': 'local fake',
      '--allow': 'none',
      '--latency': `\`${config.fake.latencyMs}\``,
      '--failure-rate': `\`${config.fake.failureRate}\``,
      '--word-delay': `\`${config.fake.wordDelayMs}\``,
    });
    expect(config).toMatchObject({ port: 8000, host: '127.0.0.1', upstream: undefined, extraOrigins: [] });
    // "/chat uses the fake's OpenAI-compatible endpoint" unless OPENAI_BASE_URL is set.
    expect(config.chat).toEqual({});
  });

  it('reads every flag of the table, and PORT when --port is not given', () => {
    const config = resolveServeConfig(
      [
        ...['--host', '0.0.0.0', '--upstream', 'http://api.test:81', '--allow', 'http://a.test/'],
        ...['--latency', '7', '--failure-rate', '0.25', '--word-delay', '9'],
      ],
      { PORT: '9000' },
    );
    expect(config).toMatchObject({
      port: 9000,
      host: '0.0.0.0',
      upstream: 'http://api.test:81',
      extraOrigins: ['http://a.test'],
      fake: { latencyMs: 7, failureRate: 0.25, wordDelayMs: 9 },
    });
    expect(resolveServeConfig(['--port', '0'], { PORT: '9000' }).port).toBe(0);
  });

  it('uses OPENAI_BASE_URL, OPENAI_API_KEY and OPENAI_MODEL, whose default is gpt-4o-mini', () => {
    expect(resolveServeConfig([], { OPENAI_BASE_URL: 'http://llm.test/v1' }).chat).toEqual({
      baseURL: 'http://llm.test/v1',
      apiKey: '',
      model: 'gpt-4o-mini',
    });
    expect(
      resolveServeConfig([], {
        OPENAI_BASE_URL: 'http://llm.test/v1',
        OPENAI_API_KEY: 'k',
        OPENAI_MODEL: 'm',
      }).chat,
    ).toEqual({ baseURL: 'http://llm.test/v1', apiKey: 'k', model: 'm' });
  });
});

describe('SERVER.md: "/chat: a synchronous handler in a single-threaded server"', () => {
  it('"The handler (`src/server/routes/chat.ts`) has no `async` and no `await`"', () => {
    const source = readFileSync(new URL('../src/server/routes/chat.ts', import.meta.url), 'utf8');
    const handler = /\nfunction chat\([\s\S]*?\n}\n/.exec(source)?.[0];
    expect(handler).toContain('runSyncStream(');
    expect(handler).not.toMatch(/\basync\b|\bawait\b/);
  });

  it('"Every wait is bounded ... (10 s by default, `chat.idleTimeoutMs`)"', () => {
    expect(stack.app.demo.chat.idleTimeoutMs).toBe(10_000);
    // The stack of this file uses the defaults: the deadline is 2 s too.
    expect(stack.app.demo.timeoutMs).toBe(2_000);
  });
});

describe('SERVER.md and this file agree', () => {
  const documentedStatuses = new Set([...SERVER_MD.matchAll(/\*\*(\d{3})\*\*/g)].map((m) => Number(m[1])));
  const documentedCodes = new Set([...SERVER_MD.matchAll(/ERR_X_[A-Z_]+/g)].map((m) => m[0]));
  // Statuses and codes this file checks outside the CASES table.
  const checkedElsewhere = {
    statuses: [431, 400, 408, 502, 504],
    codes: [
      'ERR_X_HEADERS_TOO_LARGE',
      'ERR_X_BAD_REQUEST',
      'ERR_X_REQUEST_TIMEOUT',
      'ERR_X_UPSTREAM_TIMEOUT',
    ],
  };

  it('has a case for every status SERVER.md names in bold', () => {
    const tested = new Set([...CASES.map((c) => c.status), ...checkedElsewhere.statuses]);
    expect(documentedStatuses.size).toBeGreaterThan(8);
    expect([...documentedStatuses].filter((status) => !tested.has(status))).toEqual([]);
  });

  it('has a case for every ERR_X code SERVER.md names', () => {
    const tested = new Set([...CASES.map((c) => c.code), ...checkedElsewhere.codes]);
    expect([...documentedCodes].filter((code) => !tested.has(code))).toEqual([]);
  });

  it('SERVER.md names every ERR_X code the server can answer with', () => {
    const dir = new URL('../src/server/', import.meta.url);
    const sources = readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts'))
      .map((file) => readFileSync(new URL(file, dir), 'utf8'))
      .join('\n');
    // ERR_X_USAGE is the `serve` command's error for bad flags (exit code 2), never an HTTP answer.
    const answered = new Set([...sources.matchAll(/'(ERR_X_[A-Z_]+)'/g)].map((m) => m[1]!));
    answered.delete('ERR_X_USAGE');
    expect(answered.size).toBeGreaterThan(10);
    expect([...answered].filter((code) => !documentedCodes.has(code))).toEqual([]);
  });
});
