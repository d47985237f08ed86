import { defaults, type RetryOptions } from './options.js';

/**
 * The delay before retry number `retry` (1 for the one after the first failed attempt), in whole
 * milliseconds (what a timer waits; a fraction would be truncated by the timer anyway, and onRetry reports
 * what is really waited): the ceiling `min(maxDelay, minDelay * factor ** (retry - 1))` rounded down, or with
 * full jitter a uniform draw in `[0, ceiling)` rounded down (AWS, "Exponential Backoff And Jitter", 2015).
 * `random` is `Math.random` unless a test replaces it.
 */
export function backoffDelay(retry: number, options: RetryOptions | undefined, random = Math.random): number {
  const minDelay = options?.minDelay ?? defaults.minDelay;
  const maxDelay = options?.maxDelay ?? defaults.maxDelay;
  const factor = options?.factor ?? defaults.factor;
  // `factor ** n` overflows to Infinity for large n (retries: Infinity), and min() then caps it.
  const ceiling = Math.min(maxDelay, minDelay * factor ** (retry - 1));
  return Math.floor((options?.jitter ?? defaults.jitter) ? random() * ceiling : ceiling);
}
