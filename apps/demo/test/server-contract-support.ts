import { once } from 'node:events';
import {
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  STATUS_CODES,
} from 'node:http';
import { connect } from 'node:net';
import { expect } from 'vitest';

// What the SERVER.md contract tests share: a case's shape, a request sent over a real socket, and the
// check of an error answer against what SERVER.md promises.

/** What a case sends. `path` may depend on the upstream's URL. */
export interface Sent {
  method?: string;
  path: string | (() => string);
  body?: string;
  /** Content type of `body`; `null` sends the body with no Content-Type header at all. */
  type?: string | null;
}

/** What SERVER.md promises for it. */
export interface Promised {
  status: number;
  code: string;
  /** The `Allow` header of a 405. */
  allow?: string;
  details?: unknown;
  message?: string | RegExp;
  /** Text of the request that must not come back in the answer. */
  notEchoed?: string;
}

export interface Case extends Sent, Promised {
  doc: string;
}

/** An answer as it came over the socket. */
export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/** Sends a request to `base` over a real socket with node:http, so that any header (or none) can be sent. */
export async function send(
  base: string,
  { method = 'GET', path, body, type = 'application/json' }: Sent,
): Promise<Answer> {
  const url = new URL(typeof path === 'function' ? path() : path, base);
  const headers: Record<string, string | number> = {};
  if (body !== undefined) {
    headers['content-length'] = Buffer.byteLength(body);
    if (type !== null) headers['content-type'] = type;
  }
  const req = httpRequest(url, { method, headers });
  req.end(body);
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  let text = '';
  for await (const chunk of res) text += String(chunk);
  return { status: res.statusCode!, headers: res.headers, text };
}

/** The promised error answer: JSON in our format, the promised status, code and headers, nothing internal. */
export function expectErrorAnswer(answer: Answer, promised: Promised, method = 'GET'): void {
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

/** Writes raw bytes to the server and returns everything it answers, once it closes the connection. */
export async function rawExchange(url: string, bytes: string): Promise<string> {
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

/** Splits a raw answer into its status line, its head (lower-cased) and its JSON body. */
export function parseRaw(text: string) {
  const [head = '', body = ''] = text.split('\r\n\r\n');
  return { statusLine: head.split('\r\n')[0], head: head.toLowerCase(), body: JSON.parse(body) as unknown };
}
