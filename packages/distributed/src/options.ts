import { availableParallelism } from 'node:os';
import type { Executor } from '@x/executor';
import {
  invalidArgType,
  ownOptions,
  validateDuration,
  validateInteger,
  validateOptionNames,
} from '@x/internal';
import type { OnWorkerLost } from './codec.js';
import { type Connection, validateConnection } from './connection.js';
import type { ServeWorkerOptions } from './serve-worker.js';

/** Options of {@link DistributedExecutor}. */
export interface DistributedExecutorOptions {
  /** Where Redis is: `'redis://host:6379'` or BullMQ's `{ host, port }` (any ioredis option). Required. */
  connection: Connection;
  /**
   * The BullMQ queue the tasks go through; workers serving the same name run them. No `:` (BullMQ's rule).
   * @default 'x-executor'
   */
  queue?: string;
  /**
   * A label of the code this executor expects (a release, a commit). A worker serving another `codeVersion`
   * refuses the task with `CodeVersionMismatchError` rather than run the wrong code. Unset on both sides matches.
   * @default undefined
   */
  codeVersion?: string;
  /**
   * Send inline functions as source (captured variables are refused, as with the local pools). Off, only
   * `fromModule(...)` functions are accepted, which workers import from their own code.
   * @default false
   */
  allowSourceFunctions?: boolean;
  /**
   * A worker lost mid-task (killed, crashed, cut off longer than its `lockDuration`): `'retry'` runs the task
   * again on another worker (at-least-once) and the caller gets one result; `'fail'` rejects it with
   * `WorkerCrashedError` and never runs it again (at-most-once, like the local pools).
   * @default 'retry'
   */
  onWorkerLost?: OnWorkerLost;
  /**
   * Runs of a task that throws, counting the first (BullMQ's `attempts`): the error of the last run is the
   * caller's. Only for tasks safe to repeat.
   * @default 1
   */
  attempts?: number;
  /**
   * Milliseconds a finished job (its result) is kept in Redis: long enough for the executor to read it even
   * after a missed event. BullMQ evicts older ones when later jobs finish.
   * @default 3_600_000
   */
  resultTtl?: number;
  /**
   * Milliseconds `submit` waits for Redis to accept a task before rejecting with `RedisUnavailableError`.
   * @default 5000
   */
  connectTimeout?: number;
  /**
   * BullMQ's key prefix (the same on executor and workers).
   * @default 'bull'
   */
  prefix?: string;
}

/** Every default of {@link DistributedExecutorOptions}, in one place. */
export const EXECUTOR_DEFAULTS = {
  queue: 'x-executor',
  allowSourceFunctions: false,
  onWorkerLost: 'retry' as OnWorkerLost,
  attempts: 1,
  resultTtl: 3_600_000,
  connectTimeout: 5000,
  prefix: 'bull',
  /** Tasks `map` keeps in flight by default: enough to keep a few machines busy. */
  mapConcurrency: 64,
};

const EXECUTOR_OPTIONS = [
  'connection',
  'queue',
  'codeVersion',
  'allowSourceFunctions',
  'onWorkerLost',
  'attempts',
  'resultTtl',
  'connectTimeout',
  'prefix',
] as const;

/** Checks a BullMQ name (queue, prefix): a non-empty string without `:`, which BullMQ refuses. */
export function validateName(value: unknown, name: string): asserts value is string | undefined {
  if (value === undefined) return;
  if (typeof value !== 'string' || value === '') throw invalidArgType(name, 'a non-empty string', value);
  if (value.includes(':')) {
    throw Object.assign(
      new TypeError(
        `The "${name}" property must not contain ":" (BullMQ uses it to build Redis keys). Received '${value}'`,
      ),
      { code: 'ERR_INVALID_ARG_VALUE' },
    );
  }
}

export function validateCodeVersion(value: unknown, name: string): asserts value is string | undefined {
  if (value !== undefined && (typeof value !== 'string' || value === '')) {
    throw invalidArgType(name, 'a non-empty string', value);
  }
}

export function validateBoolean(value: unknown, name: string): asserts value is boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') throw invalidArgType(name, 'of type boolean', value);
}

/** The executor's options, checked at the door, with defaults applied. */
export function resolveExecutorOptions(options: unknown) {
  if (options === undefined || options === null || typeof options !== 'object') {
    throw invalidArgType('options', 'an object with a "connection" property', options);
  }
  const o = ownOptions(options as DistributedExecutorOptions, 'options');
  validateOptionNames(o, EXECUTOR_OPTIONS, 'options');
  validateConnection(o.connection, 'options.connection');
  validateName(o.queue, 'options.queue');
  validateName(o.prefix, 'options.prefix');
  validateCodeVersion(o.codeVersion, 'options.codeVersion');
  validateBoolean(o.allowSourceFunctions, 'options.allowSourceFunctions');
  if (o.onWorkerLost !== undefined && o.onWorkerLost !== 'retry' && o.onWorkerLost !== 'fail') {
    throw Object.assign(
      new TypeError(
        `The "options.onWorkerLost" property must be 'retry' or 'fail'. Received ${String(o.onWorkerLost)}`,
      ),
      { code: 'ERR_INVALID_ARG_VALUE' },
    );
  }
  validateInteger(o.attempts, 'options.attempts', 1);
  validateInteger(o.resultTtl, 'options.resultTtl', 1000);
  validateDuration(o.connectTimeout, 'options.connectTimeout');
  return {
    connection: o.connection,
    queue: o.queue ?? EXECUTOR_DEFAULTS.queue,
    codeVersion: o.codeVersion ?? null,
    allowSourceFunctions: o.allowSourceFunctions ?? EXECUTOR_DEFAULTS.allowSourceFunctions,
    onWorkerLost: o.onWorkerLost ?? EXECUTOR_DEFAULTS.onWorkerLost,
    attempts: o.attempts ?? EXECUTOR_DEFAULTS.attempts,
    resultTtl: o.resultTtl ?? EXECUTOR_DEFAULTS.resultTtl,
    connectTimeout: o.connectTimeout ?? EXECUTOR_DEFAULTS.connectTimeout,
    prefix: o.prefix ?? EXECUTOR_DEFAULTS.prefix,
  };
}

/** The Redis pub/sub channel on which executors ask workers to abort running tasks. */
export const cancelChannel = (prefix: string, queue: string) => `${prefix}:${queue}:x-cancel`;

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

/** A worker's options, checked at the door, with defaults applied. */
export interface WorkerSettings {
  connection: Connection;
  executor: Executor;
  queue: string;
  prefix: string;
  concurrency: number;
  codeVersion: string | null;
  lockDuration: number;
  stalledInterval: number;
  allowSourceFunctions: boolean;
  onError: (error: Error) => void;
}

export function resolveWorkerOptions(options: unknown): WorkerSettings {
  if (options === null || typeof options !== 'object') {
    throw invalidArgType('options', 'an object with "connection" and "executor" properties', options);
  }
  const o = ownOptions(options as ServeWorkerOptions, 'options');
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
  return {
    connection: o.connection,
    executor: o.executor,
    queue: o.queue ?? EXECUTOR_DEFAULTS.queue,
    prefix: o.prefix ?? EXECUTOR_DEFAULTS.prefix,
    concurrency: o.concurrency ?? availableParallelism(),
    codeVersion: o.codeVersion ?? null,
    // BullMQ's defaults, stated here so that the README's table and the code agree.
    lockDuration: o.lockDuration ?? 30_000,
    stalledInterval: o.stalledInterval ?? 30_000,
    allowSourceFunctions: o.allowSourceFunctions ?? false,
    onError: o.onError ?? ((error: Error) => process.emitWarning(`@x/distributed worker: ${error.message}`)),
  };
}
