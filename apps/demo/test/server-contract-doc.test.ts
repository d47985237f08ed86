import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveServeConfig } from '../src/server/cli.js';
import { userById } from '../src/upstream/data.js';
import { CHECKED_ELSEWHERE, errorCases, viaFetch } from './server-contract-cases.js';
import { expectErrorAnswer, send } from './server-contract-support.js';
import { readFrames, type Stack, startStack, trapUnhandledRejections } from './server-helpers.js';

// SERVER.md as a test, part 2: the routes table, the options of `serve`, the claims about /chat, and a
// check that keeps SERVER.md and the contract tests in step: every status in bold and every ERR_X code
// SERVER.md names has a case, and every ERR_X code the server's source can answer with is named in it.

trapUnhandledRejections();

const SERVER_MD = readFileSync(new URL('../SERVER.md', import.meta.url), 'utf8');

let stack: Stack;
let base: string;

beforeAll(async () => {
  stack = await startStack();
  base = await stack.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await stack?.close();
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
    expectErrorAnswer(await send(base, { path: '/users/10001' }), { status: 404, code: 'ERR_X_NOT_FOUND' });
  });

  it('GET /dashboard?user_id= has the user, their orders, timing.gatheredMs and timing.sequentialMs', async () => {
    const body = (await (await fetch(`${base}/dashboard?user_id=3`)).json()) as Record<string, never>;
    expect(body.user).toEqual(userById(3));
    expect(Array.isArray(body.orders)).toBe(true);
    expect(body.timing).toMatchObject({ gatheredMs: expect.any(Number), sequentialMs: expect.any(Number) });
  });

  it('GET /fastest-mirror?user_id= is one user from the first of three mirrors, each with its outcome', async () => {
    const body = (await (await fetch(`${base}/fastest-mirror?user_id=3`)).json()) as {
      mirrors: { outcome: string }[];
    };
    expect(body).toMatchObject({ user: userById(3), mirror: 'nearby', ms: expect.any(Number) });
    expect(body.mirrors.map((m) => m.outcome)).toEqual(['aborted', 'won', 'aborted']);
  });

  it('GET /compute?n=&mode= is sum(range(n)), on a thread by default and on the event loop with mode=main', async () => {
    expect(await (await fetch(`${base}/compute?n=10`)).json()).toMatchObject({ mode: 'thread', result: 45 });
    expect(await (await fetch(`${base}/compute?n=10&mode=main`)).json()).toMatchObject({
      mode: 'main',
      result: 45,
    });
  });

  it("GET /fetch?url= fetches JSON from an origin on the allowlist (the upstream's by default)", async () => {
    const response = await fetch(`${base}${viaFetch(() => stack.upstream.url, '/users/3')()}`);
    expect(await response.json()).toEqual({
      url: `${stack.upstream.url}/users/3`,
      status: 200,
      body: userById(3),
    });
  });

  it('GET /chat?prompt= and POST /chat {"prompt"} stream Server-Sent Events', async () => {
    for (const answer of [
      await send(base, { path: '/chat?prompt=hi' }),
      await send(base, { method: 'POST', path: '/chat', body: '{"prompt":"hi"}' }),
    ]) {
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      expect(answer.text).toContain('event: done');
    }
  });

  it("GET /heartbeat streams delayMs, the upstream limit's counts and the /compute pool's stats once per interval, every 100 ms by default", async () => {
    const controller = new AbortController();
    const response = await fetch(`${base}/heartbeat`, { signal: controller.signal });
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const samples: { t: number; delayMs: number; upstream: unknown }[] = [];
    await readFrames(response, (frame) => {
      samples.push(frame.data as (typeof samples)[number]);
      return samples.length < 4;
    });
    controller.abort();
    expect(samples.every((sample) => sample.delayMs >= 0)).toBe(true);
    // ...and the upstream limit's counts, which the page shows (nothing runs here; the default limit).
    expect(samples[0]).toMatchObject({ upstream: { active: 0, pending: 0, limit: 100 } });
    // ...and the /compute pool's stats (pool.stats() of toThread's default pool).
    expect(samples[0]).toMatchObject({
      compute: {
        workers: expect.any(Number),
        running: expect.any(Number),
        queued: expect.any(Number),
        completed: expect.any(Number),
        utilization: expect.any(Number),
        runP50: expect.any(Number),
        runP99: expect.any(Number),
        waitP50: expect.any(Number),
        waitP99: expect.any(Number),
      },
    });
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
      '--upstream-limit': `\`${config.upstreamLimit}\``,
      '--latency': `\`${config.fake.latencyMs}\``,
      '--failure-rate': `\`${config.fake.failureRate}\``,
      '--word-delay': `\`${config.fake.wordDelayMs}\``,
    });
    expect(config).toMatchObject({
      port: 8000,
      host: '127.0.0.1',
      upstream: undefined,
      upstreamLimit: 100,
      extraOrigins: [],
    });
    // "Without it, `/chat` uses the fake's OpenAI-compatible endpoint." (it: OPENAI_BASE_URL)
    expect(config.chat).toEqual({});
  });

  it('reads every flag of the table, and PORT when --port is not given', () => {
    const config = resolveServeConfig(
      [
        ...['--host', '0.0.0.0', '--upstream', 'http://api.test:81', '--allow', 'http://a.test/'],
        ...['--upstream-limit', '4', '--latency', '7', '--failure-rate', '0.25', '--word-delay', '9'],
      ],
      { PORT: '9000' },
    );
    expect(config).toMatchObject({
      port: 9000,
      host: '0.0.0.0',
      upstream: 'http://api.test:81',
      extraOrigins: ['http://a.test'],
      upstreamLimit: 4,
      fake: { latencyMs: 7, failureRate: 0.25, wordDelayMs: 9 },
    });
    expect(resolveServeConfig(['--port', '0'], { PORT: '9000' }).port).toBe(0);
    // UPSTREAM_LIMIT when --upstream-limit is not given; an integer of 1 or more.
    expect(resolveServeConfig([], { UPSTREAM_LIMIT: '7' }).upstreamLimit).toBe(7);
    expect(resolveServeConfig(['--upstream-limit', '2'], { UPSTREAM_LIMIT: '7' }).upstreamLimit).toBe(2);
    for (const bad of ['0', '1.5', '-1', 'x']) {
      expect(() => resolveServeConfig(['--upstream-limit', bad], {})).toThrow(/--upstream-limit must be/);
      expect(() => resolveServeConfig([], { UPSTREAM_LIMIT: bad })).toThrow(/UPSTREAM_LIMIT must be/);
    }
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

describe('SERVER.md and the contract tests agree', () => {
  const documentedStatuses = new Set([...SERVER_MD.matchAll(/\*\*(\d{3})\*\*/g)].map((m) => Number(m[1])));
  const documentedCodes = new Set([...SERVER_MD.matchAll(/ERR_X_[A-Z_]+/g)].map((m) => m[0]));
  const cases = errorCases(() => '');

  it('has a case for every status SERVER.md names in bold', () => {
    const tested = new Set([...cases.map((c) => c.status), ...CHECKED_ELSEWHERE.statuses]);
    expect(documentedStatuses.size).toBeGreaterThan(8);
    expect([...documentedStatuses].filter((status) => !tested.has(status))).toEqual([]);
  });

  it('has a case for every ERR_X code SERVER.md names', () => {
    const tested = new Set([...cases.map((c) => c.code), ...CHECKED_ELSEWHERE.codes]);
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
