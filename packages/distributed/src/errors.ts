import { brandErrorClass } from '@x/internal';

/**
 * Every error class of @x/distributed. Failures shared with the local pools (`TimeoutError`, `AbortError`,
 * `WorkerCrashedError`, `DataCloneError`, `PoolClosedError`) are @x/executor's classes, so code that handles
 * a `ProcessPool`'s errors handles a `DistributedExecutor`'s too.
 */

/** Options accepted by every error class here. */
export interface DistributedErrorOptions {
  cause?: unknown;
}

/**
 * Redis could not be reached in time: `submit` gave up after `connectTimeout` ms instead of waiting for ever
 * (BullMQ's own `Queue.add` waits for more than 15 s). The task was not accepted; submit it again once Redis is
 * back (the executor reconnects by itself).
 *
 * @example
 * ```ts
 * await executor.submit(fn, []).catch((e) => e.code === 'ERR_X_REDIS_UNAVAILABLE' && console.log(e.connection));
 * ```
 * Python's counterpart is the `ConnectionError` of a Redis-backed executor (Celery's `OperationalError`).
 */
export class RedisUnavailableError extends Error {
  static {
    brandErrorClass(this, 'ERR_X_REDIS_UNAVAILABLE');
  }

  override name = 'RedisUnavailableError' as const;
  readonly code = 'ERR_X_REDIS_UNAVAILABLE' as const;
  /** The Redis connection that failed, as `redis://host:port/db` (never with a password). */
  readonly connection: string;
  constructor(connection: string, detail: string, options?: DistributedErrorOptions) {
    super(
      `Cannot reach Redis at ${connection}: ${detail} The task was not submitted; check that Redis is running and reachable, then submit again (the executor reconnects by itself).`,
      options,
    );
    this.connection = connection;
  }
}

/**
 * A worker refused a task because the `codeVersion` it serves differs from the executor's: the task never ran
 * on the wrong code. Deploy the same version on both sides, or point them at different queues.
 *
 * @example
 * ```ts
 * await executor.submit(fn, []).catch((e) => e.code === 'ERR_X_CODE_VERSION_MISMATCH');
 * ```
 * Python has no counterpart; Celery leaves version skew to the deployment.
 */
export class CodeVersionMismatchError extends Error {
  static {
    brandErrorClass(this, 'ERR_X_CODE_VERSION_MISMATCH');
  }

  override name = 'CodeVersionMismatchError' as const;
  readonly code = 'ERR_X_CODE_VERSION_MISMATCH' as const;
  /** The executor's `codeVersion` (`null` when it set none). */
  readonly expected: string | null;
  /** The worker's `codeVersion` (`null` when it set none). */
  readonly actual: string | null;
  constructor(expected: string | null, actual: string | null, options?: DistributedErrorOptions) {
    const show = (v: string | null) => (v === null ? 'none' : `"${v}"`);
    super(
      `A worker serving codeVersion ${show(actual)} refused this task, submitted for codeVersion ${show(expected)}, so it never ran on the wrong code. Deploy the same codeVersion on the executor and its workers, or give each version its own queue.`,
      options,
    );
    this.expected = expected;
    this.actual = actual;
  }
}

/**
 * An inline (source) function was refused: the executor was created without `allowSourceFunctions: true`
 * (thrown by `submit`), or the worker serves without it (the task fails with this error and never ran). A
 * `TypeError`, since what was passed is not accepted here; use `fromModule(...)` instead.
 *
 * @example
 * ```ts
 * try { executor.submit((n: number) => n * 2, [1]); } catch (e) { (e as Error).name === 'TypeError'; }
 * ```
 * Python pickles functions by name, as `fromModule` does; there is no counterpart to shipping source.
 */
export class SourceFunctionRefusedError extends TypeError {
  static {
    brandErrorClass(this, 'ERR_X_SOURCE_FUNCTION_REFUSED');
  }

  override name = 'TypeError' as const;
  readonly code = 'ERR_X_SOURCE_FUNCTION_REFUSED' as const;
  constructor(side: 'executor' | 'worker', options?: DistributedErrorOptions) {
    super(
      side === 'executor'
        ? 'The "fn" argument is an inline function, and this DistributedExecutor does not send function source to other machines. Use fromModule(url, exportName), which workers import from their own code, or create the executor with allowSourceFunctions: true (its workers must allow it too).'
        : 'The worker refused this inline function: it was started without allowSourceFunctions: true (CLI: --allow-source-functions), so it runs module functions only. Use fromModule(url, exportName), or allow source functions on the worker.',
      options,
    );
  }
}

/**
 * The job of a task vanished from Redis before its result was read: removed by another client, evicted, or
 * Redis restarted without persistence. The task may or may not have run.
 *
 * @example
 * ```ts
 * await executor.submit(fn, []).catch((e) => e.code === 'ERR_X_JOB_LOST');
 * ```
 * Python's counterpart is a Celery `AsyncResult` whose backend lost the result.
 */
export class JobLostError extends Error {
  static {
    brandErrorClass(this, 'ERR_X_JOB_LOST');
  }

  override name = 'JobLostError' as const;
  readonly code = 'ERR_X_JOB_LOST' as const;
  /** The BullMQ job id. */
  readonly jobId: string;
  constructor(jobId: string, options?: DistributedErrorOptions) {
    super(
      `The job ${jobId} of this task no longer exists in Redis (removed by another client, evicted, or Redis restarted without persistence), so its result cannot be read. The task may or may not have run; submit it again if that is safe.`,
      options,
    );
    this.jobId = jobId;
  }
}
