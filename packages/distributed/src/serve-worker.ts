import { availableParallelism } from 'node:os';
import type { Executor } from '@x/executor';
import { asyncDispose, invalidArgType, ownOptions, validateInteger, validateOptionNames } from '@x/internal';
import { type Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { decodeArgs, encodeError, encodeResult, type JobData, toLocalFunction } from './codec.js';
import { type Connection, closeClient, createClient, validateConnection } from './connection.js';
import { CodeVersionMismatchError, SourceFunctionRefusedError } from './errors.js';
import {
  cancelChannel,
  EXECUTOR_DEFAULTS,
  validateBoolean,
  validateCodeVersion,
  validateName,
} from './options.js';
import { compileSource, lostWorkerError } from './worker-support.js';

/** Options of {@link serveWorker}. */
export interface ServeWorkerOptions {
  /** Where Redis is: `'redis://host:6379'` or BullMQ's `{ host, port }` (any ioredis option). Required. */
  connection: Connection;
  /** The local executor that runs each task (a `ProcessPool` or `ThreadPool`). Required; not shut down by `close()`. */
  executor: Executor;
  /** @default 'x-executor' */
  queue?: string;
  /**
   * Jobs run at once (BullMQ's `concurrency`); match it to the local executor's size.
   * @default os.availableParallelism()
   */
  concurrency?: number;
  /** The code version this worker serves; jobs of another version are refused with `CodeVersionMismatchError`. */
  codeVersion?: string;
  /**
   * BullMQ's `lockDuration`: a worker silent this long (dead, frozen) loses its job to another worker. With
   * `stalledInterval` it bounds how fast a lost worker's task is recovered (2000/1000 ms: about 2 s).
   * @default 30000
   */
  lockDuration?: number;
  /**
   * BullMQ's `stalledInterval`: how often this worker looks for jobs whose worker was lost.
   * @default 30000
   */
  stalledInterval?: number;
  /**
   * Run inline functions sent as source by executors with `allowSourceFunctions: true`. Off, such tasks fail with
   * `SourceFunctionRefusedError`: anyone who can write to the queue could otherwise run any code here.
   * @default false
   */
  allowSourceFunctions?: boolean;
  /** BullMQ's key prefix (the same as the executor's). @default 'bull' */
  prefix?: string;
  /**
   * Called with errors of the worker's connections (Redis going away and back).
   * @default a process warning
   */
  onError?: (error: Error) => void;
}

/** What {@link serveWorker} returns. */
export interface ServedWorker {
  /** Resolves once the worker is connected and taking jobs. */
  readonly ready: Promise<void>;
  /**
   * Stops taking jobs and closes the worker's connections. `wait: true` (default) lets running tasks finish and
   * report; `wait: false` aborts them at once (their jobs are recovered by other workers as lost).
   */
  close(options?: { wait?: boolean }): Promise<void>;
  /** `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

const WORKER_OPTIONS = [
  'connection',
  'executor',
  'queue',
  'concurrency',
  'codeVersion',
  'lockDuration',
  'stalledInterval',
  'allowSourceFunctions',
  'prefix',
  'onError',
] as const;

/** How long a cancel for a job this worker has not started yet is remembered (it may be about to start). */
const EARLY_CANCEL_TTL = 60_000;

/**
 * Serves a queue on this machine: takes jobs submitted by `DistributedExecutor`s and runs each on `executor`,
 * a local `ProcessPool` or `ThreadPool`, so CPU work leaves this process's event loop and a stuck task can be
 * terminated. A cancel from the executor (Redis pub/sub) aborts the local task. Throws a `TypeError`/`RangeError`
 * naming the option for bad options.
 *
 * @example
 * ```ts
 * import { ProcessPool } from '@x/process-pool';
 * import { serveWorker } from '@x/distributed';
 * const pool = new ProcessPool({ maxWorkers: 8 });
 * const worker = serveWorker({ connection: 'redis://10.0.0.5:6379', executor: pool, concurrency: 8 });
 * process.once('SIGTERM', async () => { await worker.close(); await pool.shutdown(); });
 * ```
 * Like a Celery worker or a Dask worker process, serving a `concurrent.futures` executor.
 */
export function serveWorker(options: ServeWorkerOptions): ServedWorker {
  if (options === null || typeof options !== 'object') {
    throw invalidArgType('options', 'an object with "connection" and "executor" properties', options);
  }
  const o = ownOptions(options, 'options');
  validateOptionNames(o, WORKER_OPTIONS, 'options');
  validateConnection(o.connection, 'options.connection');
  if (o.executor === null || typeof o.executor !== 'object' || typeof o.executor.submit !== 'function') {
    throw invalidArgType('options.executor', 'an Executor (a ProcessPool or ThreadPool)', o.executor);
  }
  validateName(o.queue, 'options.queue');
  validateName(o.prefix, 'options.prefix');
  validateInteger(o.concurrency, 'options.concurrency', 1);
  validateCodeVersion(o.codeVersion, 'options.codeVersion');
  validateInteger(o.lockDuration, 'options.lockDuration', 100);
  validateInteger(o.stalledInterval, 'options.stalledInterval', 100);
  validateBoolean(o.allowSourceFunctions, 'options.allowSourceFunctions');
  if (o.onError !== undefined && typeof o.onError !== 'function') {
    throw invalidArgType('options.onError', 'a function', o.onError);
  }
  const queue = o.queue ?? EXECUTOR_DEFAULTS.queue;
  const prefix = o.prefix ?? EXECUTOR_DEFAULTS.prefix;
  const codeVersion = o.codeVersion ?? null;
  const allowSource = o.allowSourceFunctions ?? false;
  const executor = o.executor;
  const onError =
    o.onError ?? ((error: Error) => process.emitWarning(`@x/distributed worker: ${error.message}`));

  const running = new Map<string, AbortController>();
  const earlyCancels = new Map<string, number>();

  const processor = async (job: Job<JobData>, _token?: string, bullSignal?: AbortSignal): Promise<string> => {
    const data = job.data;
    if (data.v !== codeVersion) return encodeError(new CodeVersionMismatchError(data.v, codeVersion));
    // BullMQ moved this job back from a lost worker: at-most-once tasks must not run again.
    if (data.l === 'fail' && job.stalledCounter > 0) return encodeError(lostWorkerError(job.stalledCounter));
    if (data.f.kind === 'source' && !allowSource)
      return encodeError(new SourceFunctionRefusedError('worker'));
    const id = job.id!;
    const controller = new AbortController();
    running.set(id, controller);
    if (earlyCancels.delete(id)) controller.abort(new Error('Cancelled by the executor.'));
    const onBullAbort = () => controller.abort(bullSignal?.reason);
    bullSignal?.addEventListener('abort', onBullAbort, { once: true });
    try {
      const fn = toLocalFunction(data.f, compileSource);
      const value = await executor.submit(fn as never, decodeArgs(data.a) as never, {
        signal: controller.signal,
        ...(data.t !== undefined ? { timeout: data.t } : {}),
      });
      return encodeResult(value);
    } catch (error) {
      // More runs allowed (the executor's `attempts`): let BullMQ retry; the last run's error is the caller's.
      if (!controller.signal.aborted && job.attemptsMade + 1 < (job.opts.attempts ?? 1)) throw error;
      return encodeError(error);
    } finally {
      running.delete(id);
      bullSignal?.removeEventListener('abort', onBullAbort);
    }
  };

  const client: Redis = createClient(o.connection, 'blocking');
  const subscriber: Redis = createClient(o.connection, 'blocking');
  subscriber.on('message', (_channel: string, jobId: string) => {
    const controller = running.get(jobId);
    if (controller !== undefined) controller.abort(new Error('Cancelled by the executor.'));
    else {
      const now = Date.now();
      earlyCancels.set(jobId, now + EARLY_CANCEL_TTL);
      for (const [id, until] of earlyCancels) {
        if (until > now) break;
        earlyCancels.delete(id);
      }
    }
  });
  const subscribed = subscriber.subscribe(cancelChannel(prefix, queue));

  const worker = new Worker<JobData, string>(queue, processor, {
    connection: client as never,
    prefix,
    concurrency: o.concurrency ?? availableParallelism(),
    lockDuration: o.lockDuration ?? 30_000,
    stalledInterval: o.stalledInterval ?? 30_000,
    // Results are read by the executor through events or a look-up; BullMQ's default keeps them for ever.
    removeOnComplete: { age: 3600 },
    removeOnFail: { age: 3600 },
  });
  worker.on('error', (error) => onError(error));

  const ready = Promise.all([worker.waitUntilReady(), subscribed]).then(() => undefined);
  ready.catch(() => {});
  let closing: Promise<void> | undefined;
  const close = (closeOptions?: { wait?: boolean }): Promise<void> => {
    const wait = closeOptions?.wait ?? true;
    closing ??= (async () => {
      if (!wait)
        for (const controller of running.values()) controller.abort(new Error('The worker was closed.'));
      await worker.close(!wait).catch(onError);
      closeClient(subscriber);
      closeClient(client);
    })();
    return closing;
  };
  return { ready, close, [asyncDispose]: () => close() };
}
