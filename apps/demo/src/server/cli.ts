import { once } from 'node:events';
import { pathToFileURL } from 'node:url';
import { startUpstreamThread } from '../upstream/upstream-thread.js';
import { buildServer } from './app.js';
import { convert, parseFlags, parseOrigin, UsageError } from './args.js';

const USAGE = `Usage: pnpm demo serve [--port N] [--host H] [--upstream URL] [--allow ORIGIN]...
                       [--upstream-limit N] [--latency MS] [--failure-rate R] [--word-delay MS]

  --port N            port to listen on (also the PORT variable; default 8000; 0 picks a free one)
  --host H            interface to bind (default 127.0.0.1: only this machine can connect)
  --upstream URL      use this user/order API instead of starting the local fake
  --allow ORIGIN      let /fetch reach this origin too, e.g. http://127.0.0.1:8001 (repeatable; also the
                      FETCH_ALLOWLIST variable, comma-separated; the upstream's origin is always allowed)
  --upstream-limit N  most calls to the user/order API at once, across all requests; the others queue
                      (also the UPSTREAM_LIMIT variable; default 100)
  --latency MS        the fake's delay per request (default 50)
  --failure-rate R    share of the fake's requests that fail, 0 to 1 (default 0)
  --word-delay MS     the fake chat model's delay between words (default 60)

/chat uses OPENAI_BASE_URL, OPENAI_API_KEY and OPENAI_MODEL when set, else the fake's OpenAI-compatible
endpoint.
`;

const FLAGS = {
  port: 'port',
  host: 'string',
  upstream: 'string',
  allow: 'list',
  'upstream-limit': 'count',
  latency: 'ms',
  'failure-rate': 'rate',
  'word-delay': 'ms',
  help: 'boolean',
} as const;

export interface ServeIo {
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  env?: NodeJS.ProcessEnv;
  /** Stops the server when aborted, like SIGINT does. */
  signal?: AbortSignal;
  /** Called once the server listens, with its URL. */
  onListening?: (url: string) => void;
}

/** What `serve` runs with, every default filled in: the options table of SERVER.md. */
export interface ServeConfig {
  help: boolean;
  /** `--port`, else `PORT`, else 8000. */
  port: number;
  /** `--host`, else 127.0.0.1. */
  host: string;
  /** `--upstream`; undefined starts the local fake with `fake`'s settings. */
  upstream: string | undefined;
  /** `--upstream-limit`, else `UPSTREAM_LIMIT`, else 100: the shared limit of calls to the user/order API. */
  upstreamLimit: number;
  fake: { latencyMs: number; failureRate: number; wordDelayMs: number };
  /** Origins `/fetch` may reach besides the upstream's: every `--allow`, else `FETCH_ALLOWLIST`. */
  extraOrigins: string[];
  /** From `OPENAI_BASE_URL`, `OPENAI_API_KEY` and `OPENAI_MODEL`; empty when `OPENAI_BASE_URL` is unset. */
  chat: { baseURL?: string; apiKey?: string; model?: string };
}

/**
 * Reads `serve`'s command line and environment. Throws a `UsageError` naming the flag or variable for
 * anything it cannot run with.
 *
 * @example
 * ```ts
 * resolveServeConfig(['--latency', '100'], {}).fake.latencyMs; // 100
 * ```
 */
export function resolveServeConfig(argv: readonly string[], env: NodeJS.ProcessEnv): ServeConfig {
  const flags = parseFlags(argv, FLAGS);
  return {
    help: flags.help === true,
    port:
      (flags.port as number | undefined) ?? (env.PORT ? (convert('PORT', 'port', env.PORT) as number) : 8000),
    host: (flags.host as string | undefined) ?? '127.0.0.1',
    upstream: flags.upstream as string | undefined,
    upstreamLimit:
      (flags['upstream-limit'] as number | undefined) ??
      (env.UPSTREAM_LIMIT ? (convert('UPSTREAM_LIMIT', 'count', env.UPSTREAM_LIMIT) as number) : 100),
    fake: {
      latencyMs: (flags.latency as number | undefined) ?? 50,
      failureRate: (flags['failure-rate'] as number | undefined) ?? 0,
      wordDelayMs: (flags['word-delay'] as number | undefined) ?? 60,
    },
    extraOrigins: allowedOrigins(flags.allow as string[] | undefined, env.FETCH_ALLOWLIST),
    chat: env.OPENAI_BASE_URL
      ? {
          baseURL: env.OPENAI_BASE_URL,
          apiKey: env.OPENAI_API_KEY ?? '',
          model: env.OPENAI_MODEL ?? 'gpt-4o-mini',
        }
      : {},
  };
}

/**
 * `pnpm demo serve`: starts the upstream fake (unless `--upstream` is given) and the demo server, prints
 * the URL, and resolves once a SIGINT or SIGTERM (or `io.signal`) has closed both. Bad arguments print the
 * usage and set `process.exitCode` to 2; a port that cannot be bound rejects.
 *
 * @example
 * ```ts
 * await main(['--port', '8080']); // open http://127.0.0.1:8080, Ctrl+C to stop
 * ```
 */
export async function main(argv: string[], io: ServeIo = {}): Promise<void> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  let config: ServeConfig;
  try {
    config = resolveServeConfig(argv, io.env ?? process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    stderr.write(`${error.message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (config.help) {
    stdout.write(USAGE);
    return;
  }

  const upstream = config.upstream === undefined ? await startUpstreamThread(config.fake) : undefined;
  const upstreamUrl = config.upstream ?? upstream!.url;
  // The upstream's origin is always allowed; buildServer reports an upstream URL that does not parse.
  const upstreamOrigin = URL.canParse(upstreamUrl) ? new URL(upstreamUrl).origin : undefined;
  const fetchAllowlist = [...new Set([...(upstreamOrigin ? [upstreamOrigin] : []), ...config.extraOrigins])];
  const app = buildServer({
    upstreamUrl,
    fetchAllowlist,
    upstreamConcurrency: config.upstreamLimit,
    // Warnings and errors only (5xx causes, a bridge that failed to warm up): one JSON line each.
    logger: { level: 'warn' },
    chat: config.chat,
  });
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  io.signal?.addEventListener('abort', onSignal, { once: true });
  try {
    const address = await app.listen({ port: config.port, host: config.host });
    const url = address.replace('[::1]', 'localhost');
    stdout.write(
      `Demo server listening on ${url}\n` +
        `  upstream: ${upstreamUrl}${upstream ? ' (local fake)' : ''}\n` +
        `  /fetch may reach: ${fetchAllowlist.join(', ')}\n` +
        `  calls to the upstream at once: at most ${config.upstreamLimit}\n` +
        `  open ${url}/ in a browser; Ctrl+C to stop\n`,
    );
    io.onListening?.(url);
    if (!stop.signal.aborted) await once(stop.signal, 'abort');
    stdout.write('Shutting down...\n');
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    io.signal?.removeEventListener('abort', onSignal);
    await app.close();
    await upstream?.close();
  }
  stdout.write('Stopped.\n');
}

/**
 * The origins `/fetch` may reach besides the upstream's: every `--allow`, or else the comma-separated
 * `FETCH_ALLOWLIST` (the flags win, as `--port` wins over `PORT`). Throws a `UsageError` for a bad entry.
 */
function allowedOrigins(flagValues: readonly string[] | undefined, variable: string | undefined): string[] {
  if (flagValues !== undefined) return flagValues.map((value) => parseOrigin('--allow', value));
  if (!variable?.trim()) return [];
  return variable
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => parseOrigin('FETCH_ALLOWLIST', entry));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
