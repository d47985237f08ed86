import { availableParallelism } from 'node:os';
import {
  describeReceived,
  invalidArgType,
  outOfRange,
  ownOptions,
  subject,
  validateDuration,
  validateInteger,
} from '@x/internal';
import type { TransportFactory } from './transport.js';

/** Options of `Pool`. */
export interface PoolOptions {
  /** Starts one worker; see `Transport`. */
  transport: TransportFactory;
  /**
   * Workers kept alive even when idle.
   * @default 0
   */
  minWorkers?: number;
  /**
   * Most workers at once.
   * @default os.availableParallelism() (at least `minWorkers`)
   */
  maxWorkers?: number;
  /**
   * Milliseconds an idle worker above `minWorkers` lives.
   * @default 10000
   */
  idleTimeout?: number;
  /**
   * Most tasks waiting for a worker; more are rejected with `QueueFullError`.
   * @default Infinity
   */
  maxQueue?: number;
  /**
   * Replace a worker after it has run this many tasks.
   * @default Infinity
   */
  maxTasksPerWorker?: number;
  /**
   * Most tasks handed to one worker at once. Above 1, tiny tasks travel in batches (much higher throughput)
   * and async tasks overlap inside a worker; a long task can then delay the ones queued behind it on the same
   * worker.
   * @default 1
   */
  concurrentTasksPerWorker?: number;
  /**
   * Milliseconds a worker may take to acknowledge a cancelled task before it is terminated.
   * @default 20
   */
  cancelGrace?: number;
  /**
   * What a worker is called in messages (`thread`, `child process`).
   * @default 'worker'
   */
  label?: string;
  /**
   * MiB of memory above which a worker is replaced after a task: V8 heap used (threads) or resident set size
   * (processes), as its transport measures it (see `Transport.memory`). Its tasks in flight finish first.
   * @default none
   */
  maxMemory?: number;
  /**
   * Record run and wait times and utilization for `stats()` (a `performance.now()` per message and a histogram
   * record per task). Counts are kept either way.
   * @default true
   */
  recordTiming?: boolean;
  /**
   * The longest, in microseconds, the pool's thread keeps its event loop turning (`setImmediate`) after
   * sending a task, so the answer is read without waking a sleeping thread (tens of µs on an idle machine).
   * Other callbacks run between the turns as usual. Adaptive: it halves after a spin no answer ended, down to
   * none, probes again every 32nd task, and stops for the next 256 tasks when the thread was preempted or got
   * under 0.6 of a CPU while spinning (a busy machine). Where the process may use only one CPU
   * (`os.availableParallelism()` is 1: pinned with `taskset`, a one-CPU container), and while the system's load
   * average reaches its CPUs + 1, it never spins. `0` never spins.
   * @default 200
   */
  spin?: number;
}

/** {@link PoolOptions} checked, with every default filled in. */
export interface PoolConfig {
  transport: TransportFactory;
  minWorkers: number;
  maxWorkers: number;
  idleTimeout: number;
  maxQueue: number;
  maxTasksPerWorker: number;
  concurrentTasksPerWorker: number;
  cancelGrace: number;
  label: string;
  recordTiming: boolean;
  /** µs. */
  spin: number;
  /** Infinity for none. */
  maxMemory: number;
}

/** The default of `spin` (µs): a pool's thread after a send, and a ProcessPool child after an answer. */
export const DEFAULT_SPIN_MICROS = 200;

const DEFAULTS = {
  minWorkers: 0,
  idleTimeout: 10_000,
  maxQueue: Number.POSITIVE_INFINITY,
  maxTasksPerWorker: Number.POSITIVE_INFINITY,
  concurrentTasksPerWorker: 1,
  cancelGrace: 20,
  label: 'worker',
  recordTiming: true,
  spin: DEFAULT_SPIN_MICROS,
} as const;

/** A longer spin is never worth it: a wake-up costs tens of microseconds at worst. */
export const MAX_SPIN_MICROS = 10_000;

/** Validates `options` (a `TypeError`/`RangeError` naming the bad one) and fills in the defaults. */
export function resolvePoolOptions(options: PoolOptions): PoolConfig {
  options = ownOptions(options, 'options');
  if (options === undefined || typeof options.transport !== 'function') {
    throw new TypeError(
      `${subject('options.transport')} must be a function.${describeReceived(options?.transport)}`,
    );
  }
  validateInteger(options.minWorkers, 'options.minWorkers', 0);
  validateInteger(options.maxWorkers, 'options.maxWorkers', 1);
  validateDuration(options.idleTimeout, 'options.idleTimeout');
  validateInteger(options.maxQueue, 'options.maxQueue', 0, Number.POSITIVE_INFINITY, true);
  validateInteger(options.maxTasksPerWorker, 'options.maxTasksPerWorker', 1, Number.POSITIVE_INFINITY, true);
  validateInteger(options.concurrentTasksPerWorker, 'options.concurrentTasksPerWorker', 1);
  validateDuration(options.cancelGrace, 'options.cancelGrace');
  validateBoolean(options.recordTiming, 'options.recordTiming');
  validateInteger(options.spin, 'options.spin', 0, MAX_SPIN_MICROS);
  validateMiB(options.maxMemory, 'options.maxMemory');
  const minWorkers = options.minWorkers ?? DEFAULTS.minWorkers;
  const maxWorkers = options.maxWorkers ?? Math.max(minWorkers, availableParallelism());
  if (minWorkers > maxWorkers) {
    throw new RangeError(
      `The value of "options.minWorkers" (${minWorkers}) must not exceed "options.maxWorkers" (${maxWorkers}).`,
    );
  }
  return {
    transport: options.transport,
    minWorkers,
    maxWorkers,
    idleTimeout: options.idleTimeout ?? DEFAULTS.idleTimeout,
    maxQueue: options.maxQueue ?? DEFAULTS.maxQueue,
    maxTasksPerWorker: options.maxTasksPerWorker ?? DEFAULTS.maxTasksPerWorker,
    concurrentTasksPerWorker: options.concurrentTasksPerWorker ?? DEFAULTS.concurrentTasksPerWorker,
    cancelGrace: options.cancelGrace ?? DEFAULTS.cancelGrace,
    label: options.label ?? DEFAULTS.label,
    recordTiming: options.recordTiming ?? DEFAULTS.recordTiming,
    spin: options.spin ?? DEFAULTS.spin,
    maxMemory: options.maxMemory ?? Number.POSITIVE_INFINITY,
  };
}

/** Throws a `TypeError` (`ERR_INVALID_ARG_TYPE`) unless `value` is a boolean or undefined. */
export function validateBoolean(value: unknown, name: string): asserts value is boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') throw invalidArgType(name, 'of type boolean', value);
}

/** Throws a `TypeError`/`RangeError` unless `value` is a positive number of MiB (Infinity allowed) or undefined. */
export function validateMiB(value: unknown, name: string): asserts value is number | undefined {
  if (value === undefined) return;
  if (typeof value !== 'number') throw invalidArgType(name, 'of type number', value);
  if (!(value > 0)) throw outOfRange(name, 'a positive number of MiB or Infinity', value);
}
