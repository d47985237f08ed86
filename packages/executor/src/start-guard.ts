/**
 * Crash-loop protection for anything that starts workers (the pool scheduler, the sync bridge): it tells
 * start-up that is broken from a start that was merely interrupted, and spaces out the attempts meanwhile.
 */

/** Options of {@link StartGuard}. */
export interface StartGuardOptions {
  /**
   * Deterministic start failures with the same error, in a row and with no worker started since, that prove
   * start-up broken.
   * @default 3
   */
  threshold?: number;
  /**
   * Wait (ms) before the start that follows the first failure; it doubles with each further failure.
   * @default 100
   */
  baseDelay?: number;
  /**
   * Longest wait (ms) between two starts after a deterministic failure.
   * @default 10000
   */
  maxDelay?: number;
  /**
   * Longest wait (ms) between two starts when the last worker was killed while starting: a kill says nothing
   * about start-up, so the pool keeps trying about once a second rather than leave the queue waiting long
   * after the kills stopped.
   * @default 1000
   */
  maxKilledDelay?: number;
}

const DEFAULTS: Required<StartGuardOptions> = {
  threshold: 3,
  baseDelay: 100,
  maxDelay: 10_000,
  maxKilledDelay: 1000,
};

/**
 * Keeps the account of workers that died before they were ready. Two kinds of failure:
 * - **killed** while starting (a signal from outside: an OOM killer, an orchestrator, an operator; a
 *   `terminate()`): says nothing about start-up, so it never fails a task; it only delays the next start.
 * - **deterministic** (the entry or the initializer threw, a bad `execArgv`, an exit code before the first
 *   message): start-up is *known broken* once the same error came `threshold` times in a row with no worker
 *   started since; a different error starts the count again.
 *
 * Every failure of either kind backs off the next start exponentially (`baseDelay` doubling up to `maxDelay`,
 * or `maxKilledDelay` after a kill); a worker that starts resets everything.
 *
 * @example
 * ```ts
 * const guard = new StartGuard();
 * // a worker exited before it was ready:
 * const broken = guard.failed(error, killed);
 * if (broken) failEveryWaitingTask(broken);
 * setTimeout(startNext, guard.wait());
 * ```
 * Python's `ProcessPoolExecutor` marks the pool broken at the first failure; this waits for proof.
 */
export class StartGuard {
  readonly #threshold: number;
  readonly #baseDelay: number;
  readonly #maxDelay: number;
  readonly #maxKilledDelay: number;
  #lastKilled = false;
  /** Start failures of any kind since a worker last started: sets the back-off. */
  #failures = 0;
  #lastFailure = 0;
  /** The deterministic error seen last, and how many times in a row (with no start since). */
  #signature: string | undefined;
  #error: Error | undefined;
  #repeats = 0;

  constructor(options: StartGuardOptions = {}) {
    this.#threshold = options.threshold ?? DEFAULTS.threshold;
    this.#baseDelay = options.baseDelay ?? DEFAULTS.baseDelay;
    this.#maxDelay = options.maxDelay ?? DEFAULTS.maxDelay;
    this.#maxKilledDelay = options.maxKilledDelay ?? DEFAULTS.maxKilledDelay;
  }

  /** A worker became ready: start-up works; forget the failures and the back-off. */
  started(): void {
    this.#failures = 0;
    this.#signature = undefined;
    this.#error = undefined;
    this.#repeats = 0;
  }

  /**
   * A worker died before it was ready, with `error` (what is known of why). Returns that error when it
   * proves start-up broken (see the class), else undefined. A `killed` worker never proves anything.
   */
  failed(error: Error, killed: boolean, now = performance.now()): Error | undefined {
    this.#failures++;
    this.#lastFailure = now;
    this.#lastKilled = killed;
    if (killed) return undefined;
    const signature = signatureOf(error);
    if (signature === this.#signature) this.#repeats++;
    else {
      this.#signature = signature;
      this.#repeats = 1;
    }
    this.#error = error;
    return this.#repeats >= this.#threshold ? error : undefined;
  }

  /** The error that proves start-up broken (until a worker starts or another error comes), or undefined. */
  get broken(): Error | undefined {
    return this.#repeats >= this.#threshold ? this.#error : undefined;
  }

  /** Same deterministic failures in a row that prove start-up broken. */
  get threshold(): number {
    return this.#threshold;
  }

  /** Start failures since a worker last started. */
  get failures(): number {
    return this.#failures;
  }

  /** Milliseconds to wait before the next start (0: start now). */
  wait(now = performance.now()): number {
    if (this.#failures === 0) return 0;
    const cap = this.#lastKilled ? this.#maxKilledDelay : this.#maxDelay;
    const delay = Math.min(this.#baseDelay * 2 ** (this.#failures - 1), cap);
    return Math.max(0, this.#lastFailure + delay - now);
  }
}

/** What makes two start errors "the same": class name, code and message, along the cause chain. */
function signatureOf(error: unknown, depth = 0): string {
  if (!(error instanceof Error)) return String(error);
  const { name, message } = error;
  const code = (error as { code?: unknown }).code;
  const own = `${name}|${String(code)}|${message}`;
  return depth < 4 && error.cause !== undefined ? `${own}<-${signatureOf(error.cause, depth + 1)}` : own;
}
