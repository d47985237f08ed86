import { once } from 'node:events';
import { pathToFileURL } from 'node:url';
import { parseFlags, UsageError } from '../server/args.js';
import { startUpstream } from './upstream.js';

const USAGE = `Usage: tsx apps/demo/src/upstream/cli.ts [--port N] [--host H] [--latency MS] [--failure-rate R] [--word-delay MS]
`;

/**
 * Runs the upstream fake alone (the user/order API and the OpenAI-compatible chat endpoint) until SIGINT
 * or SIGTERM. Bad arguments print the usage and set `process.exitCode` to 2.
 */
export async function main(argv: string[]): Promise<void> {
  let flags: ReturnType<typeof parseFlags<'port' | 'host' | 'latency' | 'failure-rate' | 'word-delay'>>;
  try {
    flags = parseFlags(argv, {
      port: 'port',
      host: 'string',
      latency: 'ms',
      'failure-rate': 'rate',
      'word-delay': 'ms',
    });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const upstream = await startUpstream({
    port: (flags.port as number | undefined) ?? 8001,
    host: flags.host as string | undefined,
    latencyMs: flags.latency as number | undefined,
    failureRate: flags['failure-rate'] as number | undefined,
    wordDelayMs: flags['word-delay'] as number | undefined,
  });
  process.stdout.write(`Upstream fake listening on ${upstream.url} (${JSON.stringify(upstream.settings)})\n`);
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  await once(stop.signal, 'abort');
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  await upstream.close();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
