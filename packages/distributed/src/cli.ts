#!/usr/bin/env node
/**
 * `x-distributed-worker`: serves a queue on this machine without writing code.
 *
 *   npx x-distributed-worker --redis redis://10.0.0.5:6379 --module ./work.js --workers 8
 *
 * Runs each job on a local ProcessPool (or ThreadPool with --pool thread) of --workers processes; SIGINT/SIGTERM
 * close it gracefully (running tasks finish and report). Prints one line when ready, then errors only.
 */
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ProcessPool } from '@x/process-pool';
import { ThreadPool } from '@x/to-thread';
import { serveWorker } from './serve-worker.js';

const USAGE = `Usage: x-distributed-worker --redis <redis://host:port> [options]

  --redis <url>              Redis to serve (required)
  --queue <name>             queue name (default: x-executor)
  --module <path>            a module this worker serves, imported at start to fail fast (repeatable)
  --workers <n>              local pool size (default: available parallelism)
  --pool <process|thread>    local pool kind (default: process)
  --concurrency <n>          jobs run at once (default: --workers)
  --code-version <label>     refuse jobs submitted for another code version
  --lock-duration <ms>       BullMQ lockDuration (default: 30000)
  --stalled-interval <ms>    BullMQ stalledInterval (default: 30000)
  --allow-source-functions   run inline functions sent as source
  --prefix <prefix>          BullMQ key prefix (default: bull)
  --help`;

function fail(message: string): never {
  console.error(`x-distributed-worker: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function int(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) fail(`--${name} must be a positive integer, got '${value}'.`);
  return n;
}

let parsed: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    options: {
      redis: { type: 'string' },
      queue: { type: 'string' },
      module: { type: 'string', multiple: true },
      workers: { type: 'string' },
      pool: { type: 'string' },
      concurrency: { type: 'string' },
      'code-version': { type: 'string' },
      'lock-duration': { type: 'string' },
      'stalled-interval': { type: 'string' },
      'allow-source-functions': { type: 'boolean' },
      prefix: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
}
try {
  parsed = parse();
} catch (error) {
  fail((error as Error).message);
}
const { values } = parsed;
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const redis: string = values.redis ?? fail('--redis is required.');
const kind = values.pool ?? 'process';
if (kind !== 'process' && kind !== 'thread') fail(`--pool must be 'process' or 'thread', got '${kind}'.`);
const workers = int(values.workers, 'workers') ?? availableParallelism();

async function main(): Promise<void> {
  for (const specifier of values.module ?? []) {
    try {
      await import(pathToFileURL(path.resolve(specifier)).href);
    } catch (error) {
      fail(`cannot load --module ${specifier}: ${(error as Error).message}`);
    }
  }

  const pool =
    kind === 'thread'
      ? new ThreadPool({ maxThreads: workers, minThreads: workers })
      : new ProcessPool({ maxWorkers: workers, minWorkers: workers });
  let worker: ReturnType<typeof serveWorker>;
  try {
    worker = serveWorker({
      connection: redis,
      executor: pool,
      queue: values.queue,
      prefix: values.prefix,
      concurrency: int(values.concurrency, 'concurrency') ?? workers,
      codeVersion: values['code-version'],
      lockDuration: int(values['lock-duration'], 'lock-duration'),
      stalledInterval: int(values['stalled-interval'], 'stalled-interval'),
      allowSourceFunctions: values['allow-source-functions'] ?? false,
      onError: (error) => console.error(`x-distributed-worker: ${error.message}`),
    });
  } catch (error) {
    await pool.shutdown({ wait: false });
    fail((error as Error).message);
  }

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await worker.close();
    await pool.shutdown();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // Started by a supervisor with an IPC channel (a test harness, a demo): stop with it, never outlive it.
  if (process.channel) {
    process.once('disconnect', stop);
    process.channel.unref();
  }
  await worker.ready;
  console.log(
    `x-distributed-worker ${process.pid} ready: queue ${values.queue ?? 'x-executor'}, ${workers} ${kind === 'thread' ? 'threads' : 'processes'}`,
  );
}

main().catch((error: unknown) => {
  console.error(`x-distributed-worker: ${(error as Error)?.stack ?? String(error)}`);
  process.exit(1);
});
