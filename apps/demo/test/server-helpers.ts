import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect } from 'vitest';
import { buildServer, type ServerOptions } from '../src/server/app.js';
import type { UpstreamOptions } from '../src/upstream/upstream.js';
import { startUpstreamThread, type UpstreamThread } from '../src/upstream/upstream-thread.js';

export interface Stack {
  upstream: UpstreamThread;
  app: FastifyInstance;
  close(): Promise<void>;
}

/** The upstream fake in its own thread and a demo server (not listening) pointed at it. */
export async function startStack(
  upstreamOptions: Omit<UpstreamOptions, 'random'> = {},
  serverOptions: Partial<ServerOptions> = {},
  extend?: (app: FastifyInstance) => void,
): Promise<Stack> {
  const upstream = await startUpstreamThread({ latencyMs: 0, wordDelayMs: 5, ...upstreamOptions });
  const app = buildServer({ upstreamUrl: upstream.url, ...serverOptions });
  extend?.(app);
  await app.ready();
  return {
    upstream,
    app,
    async close() {
      await app.close();
      await upstream.close();
    },
  };
}

export interface SseFrame {
  event: string;
  data: unknown;
}

/** Parses a complete Server-Sent Events text into frames (comments skipped, `data` parsed as JSON). */
export function parseSse(text: string): SseFrame[] {
  const frames: SseFrame[] = [];
  for (const block of text.split('\n\n')) {
    let event = 'message';
    let data = '';
    for (const line of block.split('\n')) {
      if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data += line.slice(6);
    }
    if (data) frames.push({ event, data: JSON.parse(data) });
  }
  return frames;
}

/** Reads frames from a streaming fetch body as they arrive, calling `onFrame` for each; stops when it returns false. */
export async function readFrames(
  response: Response,
  onFrame: (frame: SseFrame) => boolean | void,
): Promise<void> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      const blocks = buffer.split('\n\n');
      buffer = blocks.pop()!;
      for (const frame of parseSse(blocks.join('\n\n'))) {
        if (onFrame(frame) === false) return;
      }
    }
  } finally {
    reader.releaseLock();
  }
}

/** Polls `check` until it returns true or `ms` pass. */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 3000): Promise<void> {
  const until = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > until) throw new Error(`Condition still false after ${ms} ms.`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** An error answer: JSON with a status, a stable code and a message, and nothing internal. */
export function expectErrorBody(body: unknown, statusCode: number, code: string | RegExp): void {
  expect(body).toMatchObject({ statusCode, code: expect.stringMatching(code), message: expect.any(String) });
  const text = JSON.stringify(body);
  expect(text).not.toMatch(/\bat .+\.(ts|js):\d+|stack|node_modules/);
}

/** Fails the file if any promise rejected without a handler while it ran. */
export function trapUnhandledRejections(): void {
  const seen: unknown[] = [];
  const onRejection = (reason: unknown) => seen.push(reason);
  beforeAll(() => {
    process.on('unhandledRejection', onRejection);
  });
  afterAll(() => {
    process.off('unhandledRejection', onRejection);
    expect(seen).toEqual([]);
  });
}
