import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerChunks, cannedAnswer, ordersOf, userById } from './data.js';
import { createFlakyCounter } from './flaky.js';
import { extraLatencyMs } from './mirrors.js';

/** What the fake can be told to do; every field can be changed while it runs with `configure`. */
export interface UpstreamSettings {
  /** Milliseconds every request waits before it is answered (one "round trip"). Default 50. */
  latencyMs: number;
  /** Share of requests (0 to 1) answered with a 500 after the latency. Default 0. */
  failureRate: number;
  /** Milliseconds between two chunks of a streamed chat answer. Default 40. */
  wordDelayMs: number;
}

/** Options of {@link startUpstream}: where to listen, the initial settings, and a source of randomness. */
export interface UpstreamOptions extends Partial<UpstreamSettings> {
  /** Interface to bind. Default `127.0.0.1`. */
  host?: string;
  /** Port to bind; 0 (the default) picks a free one. */
  port?: number;
  /** Source of randomness for `failureRate`, for tests that want a fixed sequence. Default `Math.random`. */
  random?: () => number;
}

/** Reported by the `chat-stream-end` event when a streamed chat answer ends, whoever ended it. */
export interface ChatStreamEnd {
  /** True when every chunk and `[DONE]` were sent; false when the client closed the stream first. */
  completed: boolean;
  /** Content chunks written before the end. */
  chunksSent: number;
  /** The last user message of the request. */
  prompt: string;
}

/**
 * Reported by the `chat-request` event for each well-formed chat completion request, before it is
 * answered: what a client configured with a base URL, a key and a model actually sent.
 */
export interface ChatRequest {
  /** The `model` field of the request body. */
  model: string;
  /** The bearer token of the `Authorization` header (the client's API key), or `undefined` without one. */
  apiKey: string | undefined;
  /** The last user message of the request. */
  prompt: string;
  /** The `stream` field of the request body. */
  stream: boolean;
}

/** Counters of what the fake has seen, for tests that check nothing was left running. */
export interface UpstreamStats {
  /** Requests received since start. */
  requests: number;
  /** Requests whose response has neither finished nor been closed. */
  inFlight: number;
  /** The most requests that were in flight at once since start. */
  maxInFlight: number;
  /** Requests the client closed before the answer was complete. */
  abandoned: number;
  /** Requests answered with a simulated failure. */
  failures: number;
}

/** A running fake of `api.example.com` plus an OpenAI-compatible streaming chat endpoint. */
export interface Upstream {
  /** Base URL, e.g. `http://127.0.0.1:40123` (no trailing slash). */
  readonly url: string;
  readonly settings: Readonly<UpstreamSettings>;
  readonly stats: Readonly<UpstreamStats>;
  /** Emits `chat-request` with a {@link ChatRequest} and `chat-stream-end` with a {@link ChatStreamEnd}. */
  readonly events: EventEmitter;
  configure(patch: Partial<UpstreamSettings>): void;
  /** Stops listening and closes every open connection. */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024;

/**
 * Starts the upstream fake: `GET /users/:id`, `GET /orders?user_id=`, `GET /flaky/orders` (./flaky.ts),
 * `POST /v1/chat/completions`
 * (OpenAI's streaming format), plus `GET /health`, `GET /moved` (a redirect), `GET /text` (not JSON) and
 * `GET /large` (2 MiB) for the server's safety tests. Rejects if the port cannot be bound.
 *
 * @example
 * ```ts
 * const upstream = await startUpstream({ latencyMs: 100 });
 * await fetch(`${upstream.url}/users/1`); // answered after ~100 ms
 * await upstream.close();
 * ```
 */
export async function startUpstream(options: UpstreamOptions = {}): Promise<Upstream> {
  const settings: UpstreamSettings = {
    latencyMs: options.latencyMs ?? 50,
    failureRate: options.failureRate ?? 0,
    wordDelayMs: options.wordDelayMs ?? 40,
  };
  checkSettings(settings);
  const random = options.random ?? Math.random;
  const stats: UpstreamStats = { requests: 0, inFlight: 0, maxInFlight: 0, abandoned: 0, failures: 0 };
  const events = new EventEmitter();
  const flaky = createFlakyCounter();

  const server = createServer((req, res) => {
    stats.requests++;
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    res.on('close', () => {
      stats.inFlight--;
      if (!res.writableFinished) stats.abandoned++;
    });
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: String(error), type: 'server_error' } });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://upstream.invalid');
    const path = url.pathname;
    const isChat = req.method === 'POST' && path === '/v1/chat/completions';
    const body = isChat ? await readBody(req) : undefined;
    if (!(await hold(res, settings.latencyMs + extraLatencyMs(url)))) return;
    if (settings.failureRate > 0 && random() < settings.failureRate) {
      stats.failures++;
      sendJson(res, 500, { error: { message: 'Simulated upstream failure.', type: 'server_error' } });
      return;
    }
    if (req.method === 'GET' && path === '/health') return sendJson(res, 200, { ok: true });
    if (req.method === 'GET' && path === '/text') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('plain text, not JSON');
      return;
    }
    if (req.method === 'GET' && path === '/large') {
      // Over the server's 1 MiB limit on upstream answers, streamed without a content-length.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ padding: 'x'.repeat(2 * 1024 * 1024) }));
      return;
    }
    if (req.method === 'GET' && path === '/moved') {
      res.writeHead(302, { location: url.searchParams.get('to') ?? '/users/1' }).end();
      return;
    }
    const userMatch = /^\/users\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && userMatch) {
      const user = userById(Number(userMatch[1]));
      if (!user) return sendJson(res, 404, { detail: 'User not found' });
      return sendJson(res, 200, user);
    }
    if (req.method === 'GET' && path === '/flaky/orders') {
      if (!flaky.shouldFail(url.searchParams))
        return sendJson(res, 200, ordersOf(Number(url.searchParams.get('user_id'))));
      stats.failures++;
      return sendJson(res, 503, { detail: 'Flaky upstream: this call fails on purpose. Try again.' });
    }
    if (req.method === 'GET' && path === '/orders') {
      const userId = Number(url.searchParams.get('user_id'));
      return sendJson(res, 200, ordersOf(userId));
    }
    if (isChat) return chatCompletions(body, req, res);
    sendJson(res, 404, { detail: 'Not found' });
  }

  async function chatCompletions(
    body: string | undefined,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    let request: { model?: unknown; messages?: unknown; stream?: unknown };
    try {
      request = JSON.parse(body ?? '');
    } catch {
      return sendJson(res, 400, { error: { message: 'Body is not JSON.', type: 'invalid_request_error' } });
    }
    const messages = request.messages;
    if (typeof request.model !== 'string' || !Array.isArray(messages) || messages.length === 0) {
      return sendJson(res, 400, {
        error: {
          message: 'Expected "model" and a non-empty "messages" array.',
          type: 'invalid_request_error',
        },
      });
    }
    const last = messages[messages.length - 1] as { content?: unknown };
    const prompt = typeof last?.content === 'string' ? last.content : '';
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    events.emit('chat-request', {
      model: request.model,
      apiKey: bearer?.[1],
      prompt,
      stream: request.stream === true,
    } satisfies ChatRequest);
    const answer = cannedAnswer(prompt);
    const id = `chatcmpl-fake-${stats.requests}`;
    const created = Math.floor(Date.now() / 1000);
    const model = request.model;
    if (request.stream !== true) {
      return sendJson(res, 200, {
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }],
      });
    }
    const chunk = (delta: object, finishReason: string | null) =>
      `data: ${JSON.stringify({
        id,
        object: 'chat.completion.chunk',
        created,
        model,
        choices: [{ index: 0, delta, finish_reason: finishReason }],
      })}\n\n`;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write(chunk({ role: 'assistant', content: '' }, null));
    let chunksSent = 0;
    for (const word of answerChunks(answer)) {
      if (!(await hold(res, settings.wordDelayMs))) {
        events.emit('chat-stream-end', { completed: false, chunksSent, prompt } satisfies ChatStreamEnd);
        return;
      }
      res.write(chunk({ content: word }, null));
      chunksSent++;
    }
    res.end(`${chunk({}, 'stop')}data: [DONE]\n\n`);
    events.emit('chat-stream-end', { completed: true, chunksSent, prompt } satisfies ChatStreamEnd);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    settings,
    stats,
    events,
    configure(patch) {
      const next = { ...settings, ...patch };
      checkSettings(next);
      Object.assign(settings, next);
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function checkSettings(s: UpstreamSettings): void {
  for (const key of ['latencyMs', 'wordDelayMs'] as const) {
    if (!Number.isFinite(s[key]) || s[key] < 0) {
      throw new RangeError(`The "${key}" option must be a finite number >= 0. Received ${String(s[key])}`);
    }
  }
  if (!(s.failureRate >= 0 && s.failureRate <= 1)) {
    throw new RangeError(
      `The "failureRate" option must be between 0 and 1. Received ${String(s.failureRate)}`,
    );
  }
}

/** Waits `ms`, or less if the client goes away; resolves false in that case so the handler stops. */
function hold(res: ServerResponse, ms: number): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  if (ms === 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onClose = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      res.off('close', onClose);
      resolve(!res.destroyed);
    }, ms);
    res.once('close', onClose);
  });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => {
      size += part.length;
      if (size > MAX_BODY_BYTES) {
        req.destroy();
        reject(new RangeError(`Request body larger than ${MAX_BODY_BYTES} bytes.`));
      } else parts.push(part);
    });
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
