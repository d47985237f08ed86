import { once } from 'node:events';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/server/cli.js';
import { answerChunks, cannedAnswer, userById } from '../src/upstream/data.js';
import type { ChatRequest, ChatStreamEnd } from '../src/upstream/upstream.js';
import { startUpstreamThread, type UpstreamThread } from '../src/upstream/upstream-thread.js';
import {
  eventually,
  expectErrorBody,
  readFrames,
  type Stack,
  startStack,
  trapUnhandledRejections,
} from './server-helpers.js';

// The same routes over a real socket on 127.0.0.1: streaming, client disconnects, the event loop's
// behaviour while /chat and /compute run, and the `serve` command itself. Every documented error status,
// header and body over the socket is in server-contract.test.ts.

trapUnhandledRejections();

function capture() {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

async function json(url: string): Promise<unknown> {
  return (await fetch(url)).json();
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

describe('serve: main(argv)', () => {
  afterEach(() => {
    process.exitCode = undefined;
  });

  it('starts the upstream and the server on 127.0.0.1, prints the URL, serves every route, and stops cleanly', async () => {
    const stop = new AbortController();
    const out = capture();
    let base = '';
    const done = main(['--port', '0', '--latency', '5', '--word-delay', '5', '--upstream-limit', '3'], {
      stdout: out.stream,
      signal: stop.signal,
      onListening: (url) => {
        base = url;
      },
    });
    await eventually(() => base !== '', 20_000);
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(out.text()).toContain(`Demo server listening on ${base}`);
    const upstreamUrl = /upstream: (\S+)/.exec(out.text())![1]!;

    expect(out.text()).toContain('calls to the upstream at once: at most 3\n');

    expect((await fetch(`${base}/`)).status).toBe(200);
    expect(await (await fetch(`${base}/health`)).json()).toMatchObject({ status: 'ok' });
    expect(await (await fetch(`${base}/users/2`)).json()).toEqual(userById(2));
    expect(await json(`${base}/dashboard?user_id=2`)).toMatchObject({ user: userById(2) });
    expect(await json(`${base}/compute?n=100`)).toMatchObject({ result: 4950 });
    expect(await json(`${base}/fetch?url=${encodeURIComponent(`${upstreamUrl}/users/2`)}`)).toMatchObject({
      body: userById(2),
    });
    const chat = await (await fetch(`${base}/chat?prompt=hi`)).text();
    expect(chat).toContain('event: done');

    stop.abort();
    await done;
    expect(out.text()).toContain('Stopped.');
    await expect(fetch(`${base}/health`)).rejects.toThrow();
  }, 30_000);

  it.each(['SIGINT', 'SIGTERM'] as const)(
    'shuts down cleanly on %s and removes its signal handlers',
    async (signal) => {
      const before = process.listenerCount(signal);
      const out = capture();
      let base = '';
      const done = main(['--port', '0'], {
        stdout: out.stream,
        onListening: (url) => {
          base = url;
        },
      });
      await eventually(() => base !== '', 20_000);
      expect(process.listenerCount(signal)).toBe(before + 1);
      // Calls the handlers as a real signal would, without signalling the test process itself.
      process.emit(signal);
      await done;
      expect(out.text()).toContain('Stopped.');
      expect(process.listenerCount(signal)).toBe(before);
      await expect(fetch(`${base}/health`)).rejects.toThrow();
    },
    30_000,
  );

  it('listens on the port named by PORT when --port is not given', async () => {
    const port = await freePort();
    const stop = new AbortController();
    let base = '';
    const done = main([], {
      env: { PORT: String(port) },
      stdout: capture().stream,
      signal: stop.signal,
      onListening: (url) => {
        base = url;
      },
    });
    await eventually(() => base !== '', 20_000);
    expect(base).toBe(`http://127.0.0.1:${port}`);
    stop.abort();
    await done;
  }, 30_000);

  it.each([
    [['--port', 'abc'], '--port must be a port number from 0 to 65535. Received "abc".'],
    [['--port', '70000'], '--port must be a port number from 0 to 65535. Received "70000".'],
    [['--port'], '--port needs a value.'],
    [['--bogus'], 'Unknown argument "--bogus".'],
    [['--failure-rate', '2'], '--failure-rate must be a number from 0 to 1. Received "2".'],
    [['--allow'], '--allow needs a value.'],
    [['--allow', 'ftp://files.test'], '--allow must be an http(s) origin such as http://127.0.0.1:8001'],
    [['--allow', 'http://api.test/v1'], 'no path, query or credentials). Received "http://api.test/v1".'],
    [['--allow', 'http://user:pw@api.test'], 'Received "http://user:pw@api.test".'],
    [['--allow', 'http://api.test?x=1'], 'Received "http://api.test?x=1".'],
    [['--allow', 'api.test:8080'], '--allow must be an http(s) origin'],
  ])('refuses %j with a usage message and exit code 2, starting nothing', async (argv, message) => {
    const err = capture();
    await main(argv, { stderr: err.stream, stdout: capture().stream });
    expect(err.text()).toContain(message);
    expect(err.text()).toContain('Usage: pnpm demo serve');
    expect(process.exitCode).toBe(2);
  });

  it('refuses a bad PORT variable the same way', async () => {
    const err = capture();
    await main([], { env: { PORT: '-1' }, stderr: err.stream });
    expect(err.text()).toContain('PORT must be a port number from 0 to 65535. Received "-1".');
    expect(process.exitCode).toBe(2);
  });

  it('refuses a bad FETCH_ALLOWLIST entry the same way, naming the variable and the entry', async () => {
    const err = capture();
    await main([], {
      env: { FETCH_ALLOWLIST: 'http://ok.test, http://api.test/v1' },
      stderr: err.stream,
      stdout: capture().stream,
    });
    expect(err.text()).toContain(
      'FETCH_ALLOWLIST must be an http(s) origin such as http://127.0.0.1:8001 (scheme, host and port only: ' +
        'no path, query or credentials). Received "http://api.test/v1".',
    );
    expect(process.exitCode).toBe(2);
  });

  it('prints the usage for --help', async () => {
    const out = capture();
    await main(['--help'], { stdout: out.stream });
    expect(out.text()).toContain('--port N');
    expect(process.exitCode).toBeUndefined();
  });
});

/** Runs `serve` until `use` is done, with `argv` and `env`; returns what it printed. */
async function serving(
  argv: string[],
  env: NodeJS.ProcessEnv,
  use: (base: string) => Promise<void>,
): Promise<string> {
  const stop = new AbortController();
  const out = capture();
  let base = '';
  const done = main(['--port', '0', ...argv], {
    env,
    stdout: out.stream,
    signal: stop.signal,
    onListening: (url) => {
      base = url;
    },
  });
  try {
    await eventually(() => base !== '' || process.exitCode !== undefined, 20_000);
    expect(process.exitCode).toBeUndefined();
    await use(base);
  } finally {
    stop.abort();
    await done;
  }
  return out.text();
}

describe('serve: the /fetch allowlist from the command line and FETCH_ALLOWLIST', () => {
  // `data` stands in for the user/order API (--upstream); `other` is a second service that /fetch may
  // reach only when it is allowed.
  let data: UpstreamThread;
  let other: UpstreamThread;
  const fetchVia = (base: string, url: string) => fetch(`${base}/fetch?url=${encodeURIComponent(url)}`);

  beforeAll(async () => {
    [data, other] = await Promise.all([
      startUpstreamThread({ latencyMs: 0 }),
      startUpstreamThread({ latencyMs: 0 }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([data?.close(), other?.close()]);
  });
  afterEach(() => {
    process.exitCode = undefined;
  });

  it('refuses a second service by default', async () => {
    await serving(['--upstream', data.url], {}, async (base) => {
      const response = await fetchVia(base, `${other.url}/users/3`);
      expect(response.status).toBe(403);
      expectErrorBody(await response.json(), 403, 'ERR_X_URL_NOT_ALLOWED');
    });
  }, 30_000);

  it('reaches every --allow origin (and still the upstream), and refuses the rest', async () => {
    const printed = await serving(
      ['--upstream', data.url, '--allow', `${other.url}/`, '--allow', 'https://api.example.test'],
      {},
      async (base) => {
        const allowed = await fetchVia(base, `${other.url}/users/3`);
        expect(allowed.status).toBe(200);
        expect(await allowed.json()).toEqual({ url: `${other.url}/users/3`, status: 200, body: userById(3) });
        expect((await fetchVia(base, `${data.url}/users/4`)).status).toBe(200);
        // The same service by another name, and an origin nobody listed, are refused.
        const port = new URL(other.url).port;
        for (const url of [
          `http://localhost:${port}/users/3`,
          'http://127.0.0.1:1/',
          'http://api.example.test/',
        ]) {
          const refused = await fetchVia(base, url);
          expect(refused.status, url).toBe(403);
          const body = (await refused.json()) as { message: string };
          expectErrorBody(body, 403, 'ERR_X_URL_NOT_ALLOWED');
          expect(body.message).toContain(`allowed: ${data.url}, ${other.url}, https://api.example.test.`);
        }
      },
    );
    expect(printed).toContain(`/fetch may reach: ${data.url}, ${other.url}, https://api.example.test\n`);
  }, 30_000);

  it('reads FETCH_ALLOWLIST (comma-separated) when no --allow is given, and --allow wins over it', async () => {
    await serving(
      ['--upstream', data.url],
      { FETCH_ALLOWLIST: ` ${other.url} ,http://b.test:81` },
      async (base) => {
        const allowed = await fetchVia(base, `${other.url}/users/5`);
        expect(allowed.status).toBe(200);
        expect(((await allowed.json()) as { body: unknown }).body).toEqual(userById(5));
      },
    );
    await serving(
      ['--upstream', data.url, '--allow', 'http://b.test:81'],
      { FETCH_ALLOWLIST: other.url },
      async (base) => {
        expect((await fetchVia(base, `${other.url}/users/5`)).status).toBe(403);
      },
    );
  }, 30_000);
});

describe('serve: /chat against a configured OpenAI-compatible endpoint', () => {
  afterEach(() => {
    process.exitCode = undefined;
  });

  it('streams the answer from OPENAI_BASE_URL, sending OPENAI_API_KEY and OPENAI_MODEL', async () => {
    // Two fakes in threads of their own: `data` for the user/order API, `chat` as the configured
    // OpenAI-compatible service. Only `chat` may see the chat request.
    const [data, chat] = await Promise.all([
      startUpstreamThread({ latencyMs: 0 }),
      startUpstreamThread({ latencyMs: 0, wordDelayMs: 5 }),
    ]);
    try {
      const requests: ChatRequest[] = [];
      chat.events.on('chat-request', (request: ChatRequest) => requests.push(request));
      const ended = once(chat.events, 'chat-stream-end');
      const env = {
        OPENAI_BASE_URL: `${chat.url}/v1`,
        OPENAI_API_KEY: 'sk-test-configured-key',
        OPENAI_MODEL: 'test-model-7',
      };
      const prompt = 'which endpoint answers?';
      let pieces: string[] = [];
      await serving(['--upstream', data.url], env, async (base) => {
        const dataBefore = await data.stats();
        const response = await fetch(`${base}/chat?prompt=${encodeURIComponent(prompt)}`);
        expect(response.status).toBe(200);
        pieces = [];
        await readFrames(response, (frame) => {
          if (frame.event === 'message') pieces.push((frame.data as { delta: string }).delta);
        });
        expect((await data.stats()).requests).toBe(dataBefore.requests);
      });
      expect(pieces.join('')).toBe(cannedAnswer(prompt));
      expect(requests).toEqual([
        { model: 'test-model-7', apiKey: 'sk-test-configured-key', prompt, stream: true },
      ]);
      const [end] = (await ended) as [ChatStreamEnd];
      expect(end).toMatchObject({ completed: true, prompt, chunksSent: pieces.length });
    } finally {
      await Promise.all([data.close(), chat.close()]);
    }
  }, 30_000);
});

const DEADLINE_MS = 2_500;

describe('a listening server', () => {
  let stack: Stack;
  let base: string;

  beforeAll(async () => {
    stack = await startStack({}, { timeoutMs: DEADLINE_MS, chat: { idleTimeoutMs: 1_000 } });
    base = await stack.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await stack?.close();
  });
  afterEach(async () => {
    await stack.upstream.configure({ latencyMs: 0, failureRate: 0, wordDelayMs: 5 });
  });

  it('streams the heartbeat: one sample of the event loop delay per tick', async () => {
    const controller = new AbortController();
    const response = await fetch(`${base}/heartbeat?interval_ms=20`, { signal: controller.signal });
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const samples: { t: number; delayMs: number }[] = [];
    await readFrames(response, (frame) => {
      samples.push(frame.data as { t: number; delayMs: number });
      return samples.length < 5;
    });
    controller.abort();
    expect(samples).toHaveLength(5);
    for (const sample of samples) {
      expect(sample.delayMs).toBeGreaterThanOrEqual(0);
      expect(sample.t).toBeGreaterThan(0);
    }
  });

  it('stops the upstream chat stream when the client disconnects mid-answer', async () => {
    await stack.upstream.configure({ wordDelayMs: 40 });
    const ended = once(stack.upstream.events, 'chat-stream-end');
    const controller = new AbortController();
    const response = await fetch(`${base}/chat?prompt=${encodeURIComponent('a long answer')}`, {
      signal: controller.signal,
    });
    let pieces = 0;
    await readFrames(response, (frame) => frame.event !== 'message' || ++pieces < 3);
    controller.abort();
    const [end] = (await ended) as [ChatStreamEnd];
    expect(end.completed).toBe(false);
    expect(end.chunksSent).toBeLessThan(answerChunks(cannedAnswer('a long answer')).length);
    await eventually(async () => (await stack.upstream.stats()).inFlight === 0);
    // The bridge is still usable: the next answer streams in full.
    const next = await (await fetch(`${base}/chat?prompt=again`)).text();
    expect(next).toContain('event: done');
  });

  it('stops the upstream request when the client leaves before the first word arrived', async () => {
    // A stack of its own, so that its estimate of the time to first word is known: about 400 ms.
    const slow = await startStack({ latencyMs: 400, wordDelayMs: 5 });
    try {
      const url = await slow.app.listen({ port: 0, host: '127.0.0.1' });
      expect(await (await fetch(`${url}/chat?prompt=warm`)).text()).toContain('event: done');
      const before = await slow.upstream.stats();
      const controller = new AbortController();
      const pending = fetch(`${url}/chat?prompt=early`, { signal: controller.signal });
      // The server waits most of those 400 ms on a timer before its first step: leave meanwhile.
      setTimeout(() => controller.abort(), 100);
      await expect(pending).rejects.toThrow();
      await eventually(async () => (await slow.upstream.stats()).inFlight === 0);
      const after = await slow.upstream.stats();
      expect(after.requests - before.requests).toBe(1);
      expect(after.abandoned - before.abandoned).toBe(1);
    } finally {
      await slow.close();
    }
  }, 20_000);

  it('streams two chat answers at the same time, each one whole and in order', async () => {
    await stack.upstream.configure({ wordDelayMs: 20 });
    const answer = async (prompt: string) => {
      const pieces: string[] = [];
      await readFrames(await fetch(`${base}/chat?prompt=${prompt}`), (frame) => {
        if (frame.event === 'message') pieces.push((frame.data as { delta: string }).delta);
      });
      return pieces.join('');
    };
    const [first, second] = await Promise.all([answer('first'), answer('second')]);
    expect(first).toBe(cannedAnswer('first'));
    expect(second).toBe(cannedAnswer('second'));
  });

  it('ends the answer with an error event when the chat API goes silent mid-answer, and closes its stream', async () => {
    await stack.upstream.configure({ wordDelayMs: 20 });
    const ended = once(stack.upstream.events, 'chat-stream-end');
    const frames: { event: string; data: unknown }[] = [];
    await readFrames(await fetch(`${base}/chat?prompt=stall`), (frame) => {
      frames.push(frame);
      if (frames.length === 3) void stack.upstream.configure({ wordDelayMs: 60_000 });
    });
    const last = frames.at(-1)!;
    expect(last).toEqual({
      event: 'error',
      data: { code: 'ERR_X_UPSTREAM_TIMEOUT', message: 'The chat API sent nothing for 1000 ms.' },
    });
    expect(frames.filter((f) => f.event === 'message').length).toBeGreaterThanOrEqual(3);
    const [end] = (await ended) as [ChatStreamEnd];
    expect(end.completed).toBe(false);
    await eventually(async () => (await stack.upstream.stats()).inFlight === 0);
  });

  it('keeps answering other requests while a chat answer streams', async () => {
    await stack.upstream.configure({ wordDelayMs: 50 });
    const total = answerChunks(cannedAnswer('slow')).length;
    const response = await fetch(`${base}/chat?prompt=slow`);
    let pieces = 0;
    let piecesWhenHealthAnswered = -1;
    let healthAsked = false;
    await readFrames(response, (frame) => {
      if (frame.event === 'message') pieces++;
      if (pieces === 2 && !healthAsked) {
        healthAsked = true;
        void fetch(`${base}/health`).then(() => {
          piecesWhenHealthAnswered = pieces;
        });
      }
    });
    expect(pieces).toBe(total);
    // /health was answered between two pieces, not after the whole answer.
    expect(piecesWhenHealthAnswered).toBeGreaterThan(0);
    expect(piecesWhenHealthAnswered).toBeLessThan(total);
  });

  it('paces the steps of a chat answer so that the event loop is mostly free meanwhile', async () => {
    await stack.upstream.configure({ wordDelayMs: 50 });
    const heartbeat = new AbortController();
    const response = await fetch(`${base}/heartbeat?interval_ms=20`, { signal: heartbeat.signal });
    const delays: number[] = [];
    let chatting = false;
    const ticks = readFrames(response, (frame) => {
      if (chatting) delays.push((frame.data as { delayMs: number }).delayMs);
    }).catch(() => {});
    chatting = true;
    const answer = await (await fetch(`${base}/chat?prompt=paced`)).text();
    chatting = false;
    heartbeat.abort();
    await ticks;
    expect(answer).toContain('event: done');
    // Stepping blindly, each step would block for most of the 50 ms gap between words, and the 20 ms
    // heartbeat would run late by ~30 ms at the median. Paced, most steps find their word already there.
    const median = [...delays].sort((a, b) => a - b)[Math.floor(delays.length / 2)]!;
    expect(delays.length).toBeGreaterThan(20);
    expect(median).toBeLessThan(15);
  });

  it('cancels the upstream requests of a client that leaves before its dashboard is ready', async () => {
    await stack.upstream.configure({ latencyMs: 10_000 });
    const before = await stack.upstream.stats();
    const controller = new AbortController();
    const startedAt = performance.now();
    const pending = fetch(`${base}/dashboard?user_id=1`, { signal: controller.signal });
    await eventually(async () => (await stack.upstream.stats()).inFlight === 2);
    controller.abort();
    await expect(pending).rejects.toThrow();
    await eventually(async () => (await stack.upstream.stats()).inFlight === 0);
    // Before the deadline could have fired: the server cancelled them because the client left.
    expect(performance.now() - startedAt).toBeLessThan(DEADLINE_MS);
    expect((await stack.upstream.stats()).abandoned - before.abandoned).toBe(2);
  });

  it('keeps the event loop free while /compute runs with toThread, unlike on the main thread', async () => {
    await fetch(`${base}/compute?n=1000`); // start the thread pool first
    const peakDuring = async (mode: string) => {
      const controller = new AbortController();
      const response = await fetch(`${base}/heartbeat?interval_ms=20`, { signal: controller.signal });
      let peak = 0;
      let computed: { ms: number } | undefined;
      let afterComputed = 0;
      await readFrames(response, (frame) => {
        const { delayMs } = frame.data as { delayMs: number };
        peak = Math.max(peak, delayMs);
        if (!computed && afterComputed === 0) {
          afterComputed = -1;
          void fetch(`${base}/compute?n=100000000&mode=${mode}`)
            .then((r) => r.json())
            .then((body) => {
              computed = body as { ms: number };
            });
        }
        // Keep reading a few ticks after the answer: a blocked loop reports on the next tick.
        if (computed) afterComputed++;
        return afterComputed < 3;
      });
      controller.abort();
      return { peak, ms: computed!.ms };
    };
    const main = await peakDuring('main');
    const thread = await peakDuring('thread');
    expect(main.peak).toBeGreaterThanOrEqual(0.5 * main.ms);
    expect(thread.peak).toBeLessThan(main.peak);
  }, 30_000);
});
