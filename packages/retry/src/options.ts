import { invalidArgType, outOfRange, ownOptions, validateOptionNames, validateSignal } from '@x/internal';

/** Options of {@link retry}. Every one is optional; the defaults are in {@link defaults}. */
export interface RetryOptions {
  /**
   * How many times to retry after the first attempt fails: `retries: 3` means at most 4 attempts. An integer
   * `>= 0`, or `Infinity` (then only `retryIf`, `signal` or its deadline stop the retrying).
   * @default 3
   */
  retries?: number;
  /**
   * The delay before the first retry, in milliseconds, when `jitter` is off; with jitter, the ceiling of
   * that delay. Each later ceiling is `factor` times the one before, up to `maxDelay`.
   * @example `{ minDelay: 50 }` waits up to 50, 100, 200 ms before the retries (exactly that with `jitter: false`).
   * @default 100
   */
  minDelay?: number;
  /**
   * The longest delay between two attempts, in milliseconds (at most 2,147,483,647, the longest timer). It
   * wins over `minDelay` when smaller.
   * @default 10_000
   */
  maxDelay?: number;
  /**
   * How much the delay ceiling grows from one retry to the next: `minDelay * factor ** (retry - 1)`. A finite
   * number `> 0`; `1` keeps it constant.
   * @default 2
   */
  factor?: number;
  /**
   * Full jitter: each delay is drawn uniformly between 0 and its ceiling, so clients that failed together do
   * not retry together (AWS measured it as the least total work under contention). `false` waits exactly the
   * ceiling: `minDelay`, `minDelay * factor`, ...
   * @default true
   */
  jitter?: boolean;
  /**
   * Whether to retry after `error` ended attempt number `attempt` (1 for the first). Return `false` to stop
   * and reject with `error`. May return a promise; if it throws or rejects, retry rejects with that. Replaces
   * the default {@link defaultRetryIf}; compose with it to keep its rules.
   * @example `retryIf: (error) => defaultRetryIf(error) && !(error instanceof NotFoundError)`
   * @default defaultRetryIf
   */
  retryIf?: (error: unknown, attempt: number) => boolean | PromiseLike<boolean>;
  /**
   * Called before each delay with the error that ended attempt number `attempt` and the delay (ms) about to
   * be waited: for logging or metrics. A promise it returns is awaited (its time counts against the
   * deadline); if it throws or rejects, retry stops and rejects with that.
   * @example `onRetry: (error, attempt, delay) => log.warn({ error, attempt, delay }, 'retrying')`
   * @default undefined
   */
  onRetry?: (error: unknown, attempt: number, delay: number) => void | PromiseLike<void>;
  /**
   * The caller's cancellation, handed to every attempt as its signal. Aborting it stops the delay at once
   * and aborts the running attempt's signal (it is that signal); retry then rejects with `signal.reason`,
   * unchanged. If it carries a deadline (a `@x/timeout` scope's or `withTimeout`'s signal), retry never starts
   * a delay or an attempt that would end past it, and rejects early with a {@link TimeoutError} instead.
   * @default undefined
   */
  signal?: AbortSignal;
}

/** The default of every option that has one, in one place. */
export const defaults = {
  retries: 3,
  minDelay: 100,
  maxDelay: 10_000,
  factor: 2,
  jitter: true,
} as const;

/** Node's longest timer; a longer delay would fire after 1 ms. */
export const MAX_DELAY = 2 ** 31 - 1;

const OPTION_NAMES = ['retries', 'minDelay', 'maxDelay', 'factor', 'jitter', 'retryIf', 'onRetry', 'signal'];

/**
 * Checks `op` and `options` at the door, naming the argument or option at fault (Node-core style `TypeError`
 * / `RangeError` with `code`), and returns the options to read from (never read off a polluted prototype).
 */
export function validateRetryArgs(op: unknown, options: RetryOptions | undefined): RetryOptions | undefined {
  if (typeof op !== 'function') {
    throw invalidArgType(
      'op',
      `a function (signal, attempt) => value${isPromiseLike(op) ? ' (a promise is already running and cannot be run again: pass a function that starts the work)' : ''}`,
      op,
    );
  }
  if (options === undefined) return undefined;
  options = ownOptions(options, 'options');
  // One pass over the keys given (usually one or two), which also refuses a misspelt option: cheaper on
  // the hot path than reading all eight and then checking the names apart.
  for (const key in options) {
    if (!Object.hasOwn(options, key)) continue;
    const value = (options as Record<string, unknown>)[key];
    if (value === undefined) continue;
    switch (key) {
      case 'signal':
        validateSignal(value, 'options.signal');
        break;
      case 'retries':
        if (typeof value !== 'number') throw invalidArgType('options.retries', 'of type number', value);
        if (!((Number.isInteger(value) || value === Number.POSITIVE_INFINITY) && value >= 0)) {
          throw outOfRange('options.retries', 'an integer >= 0 or Infinity', value);
        }
        break;
      case 'minDelay':
      case 'maxDelay':
        validateDelay(value, `options.${key}`);
        break;
      case 'factor':
        if (typeof value !== 'number') throw invalidArgType('options.factor', 'of type number', value);
        if (!(value > 0 && value < Number.POSITIVE_INFINITY)) {
          throw outOfRange('options.factor', 'a finite number > 0', value);
        }
        break;
      case 'jitter':
        if (typeof value !== 'boolean') throw invalidArgType('options.jitter', 'of type boolean', value);
        break;
      case 'retryIf':
        if (typeof value !== 'function') {
          throw invalidArgType('options.retryIf', 'a function (error, attempt) => boolean', value);
        }
        break;
      case 'onRetry':
        if (typeof value !== 'function') {
          throw invalidArgType('options.onRetry', 'a function (error, attempt, delay) => void', value);
        }
        break;
      default:
        validateOptionNames({ [key]: value }, OPTION_NAMES, 'options');
    }
  }
  return options;
}

function validateDelay(value: unknown, name: string): void {
  if (typeof value !== 'number') throw invalidArgType(name, 'of type number', value);
  if (!(value >= 0 && value <= MAX_DELAY)) {
    throw outOfRange(name, `a number of milliseconds >= 0 and <= ${MAX_DELAY}`, value);
  }
}

function isPromiseLike(value: unknown): boolean {
  return (
    value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function'
  );
}
