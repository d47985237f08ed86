import { once } from 'node:events';
import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main as upstreamMain } from '../src/upstream/cli.js';
import { answerChunks, cannedAnswer, ordersOf } from '../src/upstream/data.js';
import { type ChatStreamEnd, startUpstream, type Upstream } from '../src/upstream/upstream.js';
import { startUpstreamThread } from '../src/upstream/upstream-thread.js';

let upstream: Upstream;

beforeEach(async () => {
  upstream = await startUpstream({ latencyMs: 0, wordDelayMs: 5 });
});
afterEach(async () => {
  await upstream.close();
});

const settled = async () => {
  for (let i = 0; i < 50 && upstream.stats.inFlight > 0; i++) await new Promise((r) => setTimeout(r, 10));
};

describe('startUpstream: the user/order API', () => {
  it('serves a user and their orders as JSON', async () => {
    const user = await (await fetch(`${upstream.url}/users/7`)).json();
    const orders = (await (await fetch(`${upstream.url}/orders?user_id=7`)).json()) as unknown[];
    expect(user).toMatchObject({ id: 7, email: 'user7@example.test' });
    expect(orders).toEqual(ordersOf(7));
    expect(orders.length).toBeGreaterThan(0);
  });

  it('answers 404 for a user that does not exist', async () => {
    const response = await fetch(`${upstream.url}/users/999999`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ detail: 'User not found' });
  });

  it('waits the configured latency before answering', async () => {
    upstream.configure({ latencyMs: 150 });
    const started = performance.now();
    await (await fetch(`${upstream.url}/users/1`)).json();
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('fails the configured share of requests with a 500', async () => {
    upstream.configure({ failureRate: 1 });
    const response = await fetch(`${upstream.url}/users/1`);
    expect(response.status).toBe(500);
    expect(upstream.stats.failures).toBe(1);
  });

  it('counts a request the client abandons during the latency, and stops holding it', async () => {
    upstream.configure({ latencyMs: 5_000 });
    const controller = new AbortController();
    const pending = fetch(`${upstream.url}/users/1`, { signal: controller.signal });
    // Wait for the request to arrive (50 ms was not always enough on a loaded machine).
    await vi.waitFor(() => expect(upstream.stats.inFlight).toBe(1), { timeout: 3_000 });
    controller.abort();
    await expect(pending).rejects.toThrow();
    await settled();
    expect(upstream.stats).toMatchObject({ inFlight: 0, abandoned: 1 });
  });

  it('refuses settings out of range', async () => {
    expect(() => upstream.configure({ failureRate: 2 })).toThrow(RangeError);
    expect(() => upstream.configure({ latencyMs: -1 })).toThrow(
      /"latencyMs" option must be a finite number >= 0/,
    );
    await expect(startUpstream({ wordDelayMs: Number.NaN })).rejects.toThrow(RangeError);
  });
});

describe('startUpstream: the OpenAI-compatible chat endpoint', () => {
  const client = () => new OpenAI({ baseURL: `${upstream.url}/v1`, apiKey: 'test', maxRetries: 0 });

  it('streams the answer word by word in the format the official client reads', async () => {
    const ended = once(upstream.events, 'chat-stream-end');
    const stream = await client().chat.completions.create({
      model: 'fake',
      messages: [{ role: 'user', content: 'tell me about gather' }],
      stream: true,
    });
    const pieces: string[] = [];
    for await (const chunk of stream) {
      const content = chunk.choices[0]?.delta.content;
      if (content) pieces.push(content);
    }
    expect(pieces).toEqual(answerChunks(cannedAnswer('tell me about gather')));
    expect(pieces.length).toBeGreaterThan(10);
    const [end] = (await ended) as [ChatStreamEnd];
    expect(end).toEqual({ completed: true, chunksSent: pieces.length, prompt: 'tell me about gather' });
  });

  it('answers without streaming when stream is not requested', async () => {
    const completion = await client().chat.completions.create({
      model: 'fake',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(completion.choices[0]?.message.content).toBe(cannedAnswer('hi'));
  });

  it('sees a client that leaves mid-stream close the stream, and stops writing', async () => {
    upstream.configure({ wordDelayMs: 30 });
    const ended = once(upstream.events, 'chat-stream-end');
    const stream = await client().chat.completions.create({
      model: 'fake',
      messages: [{ role: 'user', content: 'long answer please' }],
      stream: true,
    });
    let seen = 0;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content && ++seen === 3) break;
    }
    const [end] = (await ended) as [ChatStreamEnd];
    expect(end.completed).toBe(false);
    expect(end.chunksSent).toBeLessThan(answerChunks(cannedAnswer('long answer please')).length);
    await settled();
    expect(upstream.stats.inFlight).toBe(0);
  });

  it('answers a malformed request with an OpenAI-style 400', async () => {
    const response = await fetch(`${upstream.url}/v1/chat/completions`, {
      method: 'POST',
      body: '{"model":1}',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
  });

  it('close() ends a stream in progress and resolves', async () => {
    upstream.configure({ wordDelayMs: 1_000 });
    const ended = once(upstream.events, 'chat-stream-end');
    const response = await fetch(`${upstream.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }], stream: true }),
    });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    await upstream.close();
    const [end] = (await ended) as [ChatStreamEnd];
    expect(end.completed).toBe(false);
    expect(upstream.stats.inFlight).toBe(0);
  });
});

describe('startUpstreamThread', () => {
  it('runs the fake in its own thread and relays settings, stats and events', async () => {
    const thread = await startUpstreamThread({ latencyMs: 0, wordDelayMs: 1 });
    try {
      await thread.configure({ failureRate: 1 });
      expect((await fetch(`${thread.url}/users/1`)).status).toBe(500);
      expect(await thread.stats()).toMatchObject({ requests: 1, failures: 1, inFlight: 0 });
      await expect(thread.configure({ latencyMs: -5 })).rejects.toThrow(/"latencyMs" option/);
    } finally {
      await thread.close();
    }
    await expect(fetch(`${thread.url}/health`)).rejects.toThrow();
    await expect(thread.stats()).rejects.toThrow(/The upstream thread exited/);
  });

  it('rejects when its port is taken, in a thread or not', async () => {
    const port = Number(new URL(upstream.url).port);
    await expect(startUpstream({ port })).rejects.toThrow(/EADDRINUSE/);
    await expect(startUpstreamThread({ port })).rejects.toThrow(/EADDRINUSE/);
  });
});

describe('the upstream command (src/upstream/cli.ts)', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });

  it('serves until SIGTERM, then closes', async () => {
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const done = upstreamMain(['--port', '0', '--latency', '0']);
    for (let i = 0; i < 200 && !written.join('').includes('listening on'); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    vi.restoreAllMocks();
    const url = /listening on (\S+)/.exec(written.join(''))![1]!;
    expect(await (await fetch(`${url}/users/1`)).json()).toMatchObject({ id: 1 });
    process.emit('SIGTERM');
    await done;
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });

  it('refuses a bad flag with the usage and exit code 2', async () => {
    const written: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    await upstreamMain(['--latency', 'soon']);
    expect(written.join('')).toContain('--latency must be a number of milliseconds >= 0. Received "soon".');
    expect(process.exitCode).toBe(2);
  });
});
