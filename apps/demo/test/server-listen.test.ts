import { once } from 'node:events';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/server/cli.js';
import { answerChunks, cannedAnswer, userById } from '../src/upstream/data.js';
import type { ChatStreamEnd } from '../src/upstream/upstream.js';
import { eventually, readFrames, type Stack, startStack, trapUnhandledRejections } from './server-helpers.js';

// The same routes over a real socket on 127.0.0.1: streaming, client disconnects, the event loop's
// behaviour while /chat and /compute run, and the `serve` command itself.

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
    const done = main(['--port', '0', '--latency', '5', '--word-delay', '5'], {
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

    expect((await fetch(`${base}/`)).status).toBe(200);
    expect(await (await fetch(`${base}/health`)).json()).toMatchObject({ status: 'ok' });
    expect(await (await fetch(`${base}/users/2`)).json()).toEqual(userById(2));
    expect((await (await fetch(`${base}/dashboard?user_id=2`)).json()).user).toEqual(userById(2));
    expect((await (await fetch(`${base}/compute?n=100`)).json()).result).toBe(4950);
    const fetched = await fetch(`${base}/fetch?url=${encodeURIComponent(`${upstreamUrl}/users/2`)}`);
    expect((await fetched.json()).body).toEqual(userById(2));
    const chat = await (await fetch(`${base}/chat?prompt=hi`)).text();
    expect(chat).toContain('event: done');

    stop.abort();
    await done;
    expect(out.text()).toContain('Stopped.');
    await expect(fetch(`${base}/health`)).rejects.toThrow();
  }, 30_000);

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

  it('prints the usage for --help', async () => {
    const out = capture();
    await main(['--help'], { stdout: out.stream });
    expect(out.text()).toContain('--port N');
    expect(process.exitCode).toBeUndefined();
  });
});

describe('a listening server', () => {
  let stack: Stack;
  let base: string;

  beforeAll(async () => {
    stack = await startStack({}, { timeoutMs: 5_000 });
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

  it('refuses a heartbeat interval out of range', async () => {
    const response = await fetch(`${base}/heartbeat?interval_ms=1`);
    expect(response.status).toBe(422);
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

  it('cancels the upstream requests of a client that leaves before its dashboard is ready', async () => {
    await stack.upstream.configure({ latencyMs: 10_000 });
    const before = await stack.upstream.stats();
    const controller = new AbortController();
    const pending = fetch(`${base}/dashboard?user_id=1`, { signal: controller.signal });
    await eventually(async () => (await stack.upstream.stats()).inFlight === 2);
    const abortedAt = performance.now();
    controller.abort();
    await expect(pending).rejects.toThrow();
    await eventually(async () => (await stack.upstream.stats()).inFlight === 0);
    // Long before the 5 s deadline: the server cancelled them because the client left.
    expect(performance.now() - abortedAt).toBeLessThan(3_000);
    expect((await stack.upstream.stats()).abandoned - before.abandoned).toBe(2);
  });

  it('answers 504 for a slow upstream and 502 for a failing one over the network', async () => {
    await stack.upstream.configure({ failureRate: 1 });
    const failed = await fetch(`${base}/dashboard?user_id=1`);
    expect(failed.status).toBe(502);
    expect((await failed.json()).code).toBe('ERR_X_UPSTREAM');
    await stack.upstream.configure({ failureRate: 0, latencyMs: 10_000 });
    const slow = await fetch(`${base}/users/1`);
    expect(slow.status).toBe(504);
    await eventually(async () => (await stack.upstream.stats()).inFlight === 0);
  }, 20_000);

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
