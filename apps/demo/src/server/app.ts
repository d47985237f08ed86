import { type LimitFunction, limit } from '@x/locks';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import {
  BODY_LIMIT,
  clientErrorHandler,
  frameworkErrorHandler,
  installErrorHandlers,
  MAX_PARAM_LENGTH,
} from './error-handler.js';
import { HttpError } from './errors.js';
import { chatRoutes } from './routes/chat.js';
import { computeRoutes } from './routes/compute.js';
import { dashboardFlakyRoutes } from './routes/dashboard-flaky.js';
import { fetchRoutes } from './routes/fetch.js';
import { healthRoutes } from './routes/health.js';
import { mirrorRoutes } from './routes/mirrors.js';
import { pageRoutes } from './routes/page.js';
import { userRoutes } from './routes/users.js';
import { installStrictIntegers } from './strict-integers.js';

/** How the demo server is wired; only `upstreamUrl` is required. */
export interface ServerOptions {
  /** Base URL of the user/order API (the upstream fake, or a real one), without a trailing slash. */
  upstreamUrl: string;
  /** Origins `/fetch` may reach. Default: the upstream's origin only. */
  fetchAllowlist?: readonly string[];
  /** Deadline in ms for the upstream work of one request (`/users`, `/dashboard`, `/fetch`). Default 2000. */
  timeoutMs?: number;
  /**
   * Most calls to the user/order API (`/users`, `/dashboard`) running at once, across all requests; the
   * others wait in a queue, counted in the request's deadline. Default 100.
   */
  upstreamConcurrency?: number;
  /** Largest `n` `/compute` accepts. Default 100,000,000 (the sum stays an exact integer below that). */
  maxComputeN?: number;
  /**
   * The OpenAI-compatible endpoint `/chat` streams from (default: the upstream's `/v1`, a dummy key), and
   * the longest it may stay silent before the answer fails with a timeout (default 10,000 ms): the
   * longest one step of the synchronous handler can block the event loop.
   */
  chat?: { baseURL?: string; apiKey?: string; model?: string; idleTimeoutMs?: number };
  /** Fastify's logger option. Default false. */
  logger?: FastifyServerOptions['logger'];
}

/** The options with every default filled in, as routes see them. */
export interface ResolvedServerOptions {
  upstreamUrl: string;
  fetchAllowlist: readonly string[];
  timeoutMs: number;
  upstreamConcurrency: number;
  maxComputeN: number;
  chat: { baseURL: string; apiKey: string; model: string; idleTimeoutMs: number };
}

/** Request lines longer than this (path plus query string) are refused with 414 before routing. */
export const MAX_URL_LENGTH = 4096;
export { BODY_LIMIT } from './error-handler.js';

/**
 * Builds the demo's Fastify app (not yet listening): the page, `/health`, `/heartbeat`, and the routes
 * that compose the `@x` packages. Throws a `TypeError` synchronously for an `upstreamUrl` that is not an
 * http(s) URL.
 *
 * @example
 * ```ts
 * const app = buildServer({ upstreamUrl: upstream.url });
 * const res = await app.inject('/dashboard?user_id=1');
 * ```
 */
export function buildServer(options: ServerOptions): FastifyInstance {
  const resolved = resolveOptions(options);
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: BODY_LIMIT,
    // Open event streams (heartbeat, chat) must not keep close() waiting.
    forceCloseConnections: true,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // The router's own errors (a path parameter too long, a malformed path) and the HTTP parser's (a
    // request line over 16 KiB) answer in our error format rather than Fastify's, without echoing input.
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
    // Unknown body fields are an error (422), not silently dropped. No type coercion: a JSON body's 5 is
    // not the string "5", and integers in paths and query strings are read by strict-integers.ts.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
  });
  app.decorate('demo', resolved);
  // One limiter for the whole server: every request's calls to the user/order API share its slots.
  app.decorate('upstreamLimit', limit(resolved.upstreamConcurrency));
  installErrorHandlers(app);
  installStrictIntegers(app);
  // Fastify reads text/plain bodies as strings by default; only JSON bodies are accepted here, so any
  // other type is a 415 rather than a string that the schema then calls "not an object" (422).
  app.removeContentTypeParser('text/plain');
  app.addHook('onRequest', async (request) => {
    if (request.url.length > MAX_URL_LENGTH) {
      throw new HttpError(
        414,
        'ERR_X_URL_TOO_LONG',
        `The request URL is longer than ${MAX_URL_LENGTH} characters.`,
      );
    }
  });
  pageRoutes(app);
  healthRoutes(app);
  userRoutes(app);
  dashboardFlakyRoutes(app);
  computeRoutes(app);
  fetchRoutes(app);
  chatRoutes(app);
  mirrorRoutes(app);
  return app;
}

function resolveOptions(options: ServerOptions): ResolvedServerOptions {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`The "options" argument must be an object. Received ${String(options)}`);
  }
  let upstream: URL;
  try {
    upstream = new URL(options.upstreamUrl);
  } catch {
    upstream = new URL('invalid:');
  }
  if (upstream.protocol !== 'http:' && upstream.protocol !== 'https:') {
    throw new TypeError(
      `The "options.upstreamUrl" property must be an http(s) URL. Received ${JSON.stringify(options.upstreamUrl)}`,
    );
  }
  const upstreamUrl = upstream.href.replace(/\/$/, '');
  const timeoutMs = options.timeoutMs ?? 2000;
  if (!(timeoutMs > 0)) {
    throw new RangeError(`The "options.timeoutMs" property must be > 0. Received ${String(timeoutMs)}`);
  }
  const upstreamConcurrency = options.upstreamConcurrency ?? 100;
  if (!Number.isSafeInteger(upstreamConcurrency) || upstreamConcurrency < 1) {
    throw new RangeError(
      `The "options.upstreamConcurrency" property must be an integer >= 1. Received ${String(upstreamConcurrency)}`,
    );
  }
  const maxComputeN = options.maxComputeN ?? 100_000_000;
  if (!Number.isSafeInteger(maxComputeN) || maxComputeN < 1 || maxComputeN > 100_000_000) {
    throw new RangeError(
      `The "options.maxComputeN" property must be an integer from 1 to 100000000. Received ${String(maxComputeN)}`,
    );
  }
  const idleTimeoutMs = options.chat?.idleTimeoutMs ?? 10_000;
  if (!(idleTimeoutMs > 0 && idleTimeoutMs <= 600_000)) {
    throw new RangeError(
      `The "options.chat.idleTimeoutMs" property must be > 0 and <= 600000. Received ${String(idleTimeoutMs)}`,
    );
  }
  return {
    upstreamUrl,
    fetchAllowlist: (options.fetchAllowlist ?? [upstream.origin]).map(toOrigin),
    timeoutMs,
    upstreamConcurrency,
    maxComputeN,
    chat: {
      baseURL: options.chat?.baseURL ?? `${upstreamUrl}/v1`,
      apiKey: options.chat?.apiKey ?? 'sk-local-fake-key',
      model: options.chat?.model ?? 'fake-gpt',
      idleTimeoutMs,
    },
  };
}

function toOrigin(entry: string, index: number): string {
  let url: URL | undefined;
  try {
    url = new URL(entry);
  } catch {}
  if (url?.protocol !== 'http:' && url?.protocol !== 'https:') {
    throw new TypeError(
      `The "options.fetchAllowlist[${index}]" element must be an http(s) origin. Received ${JSON.stringify(entry)}`,
    );
  }
  return url.origin;
}

declare module 'fastify' {
  interface FastifyInstance {
    demo: ResolvedServerOptions;
    /** The shared limiter of the calls to the user/order API; `/heartbeat` reports its counts. */
    upstreamLimit: LimitFunction;
  }
}
