import type { Executor } from '@x/executor';
import { asyncDispose } from '@x/internal';
import { type Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { decodeArgs, encodeError, encodeResult, type JobData, toLocalFunction } from './codec.js';
import { type Connection, closeClient, createClient } from './connection.js';
import { CodeVersionMismatchError, SourceFunctionRefusedError } from './errors.js';
import { cancelChannel, resolveWorkerOptions, type WorkerSettings } from './options.js';
import { CancelRegistry, compileSource, lostWorkerError } from './worker-support.js';

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
  const settings = resolveWorkerOptions(options);
  const cancels = new CancelRegistry();
  const client: Redis = createClient(settings.connection, 'blocking');
  const subscriber: Redis = createClient(settings.connection, 'blocking');
  subscriber.on('message', (_channel: string, jobId: string) => cancels.cancel(jobId));
  const subscribed = subscriber.subscribe(cancelChannel(settings.prefix, settings.queue));

  const worker = new Worker<JobData, string>(settings.queue, createProcessor(settings, cancels), {
    connection: client as never,
    prefix: settings.prefix,
    concurrency: settings.concurrency,
    lockDuration: settings.lockDuration,
    stalledInterval: settings.stalledInterval,
    // Results are read by the executor through events or a look-up; BullMQ's default keeps them for ever.
    removeOnComplete: { age: 3600 },
    removeOnFail: { age: 3600 },
  });
  worker.on('error', (error) => settings.onError(error));

  const ready = Promise.all([worker.waitUntilReady(), subscribed]).then(() => undefined);
  ready.catch(() => {});
  let closing: Promise<void> | undefined;
  const close = (closeOptions?: { wait?: boolean }): Promise<void> => {
    const wait = closeOptions?.wait ?? true;
    closing ??= (async () => {
      if (!wait) cancels.cancelAll(new Error('The worker was closed.'));
      await worker.close(!wait).catch(settings.onError);
      closeClient(subscriber);
      closeClient(client);
    })();
    return closing;
  };
  return { ready, close, [asyncDispose]: () => close() };
}

/** Runs one job: checks it may run here, then runs it on the local executor, cancellable by the executor. */
function createProcessor(settings: WorkerSettings, cancels: CancelRegistry) {
  const { codeVersion, allowSourceFunctions, executor } = settings;
  return async (job: Job<JobData>, _token?: string, bullSignal?: AbortSignal): Promise<string> => {
    const data = job.data;
    if (data.v !== codeVersion) return encodeError(new CodeVersionMismatchError(data.v, codeVersion));
    // BullMQ moved this job back from a lost worker: at-most-once tasks must not run again.
    if (data.l === 'fail' && job.stalledCounter > 0) return encodeError(lostWorkerError(job.stalledCounter));
    if (data.f.kind === 'source' && !allowSourceFunctions) {
      return encodeError(new SourceFunctionRefusedError('worker'));
    }
    const id = job.id!;
    const controller = cancels.register(id);
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
      cancels.release(id);
      bullSignal?.removeEventListener('abort', onBullAbort);
    }
  };
}
