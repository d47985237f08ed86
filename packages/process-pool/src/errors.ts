import { brandErrorClass } from '@x/internal';

/**
 * The `initializer` of a `ProcessPool` threw in a new child process, so no task ran in that child (its
 * tasks go to the next one). Once three children in a row threw the same error, with none started since,
 * every waiting task fails at once with a `WorkerCrashedError` whose `cause` is this error; each further
 * child starts after a growing delay (up to 10 s) instead of the pool forking in a loop. `cause` is the
 * initializer's own error.
 *
 * @example
 * ```ts
 * try {
 *   await pool.submit(task, []);
 * } catch (error) {
 *   if (error instanceof WorkerCrashedError && error.cause instanceof InitializerError) console.error(error.cause.cause);
 * }
 * ```
 * Python's counterpart is the `BrokenProcessPool` that a failed `ProcessPoolExecutor(initializer=...)` raises.
 */
export class InitializerError extends Error {
  static {
    brandErrorClass(this, 'ERR_X_INITIALIZER');
  }

  override readonly name = 'InitializerError';
  readonly code = 'ERR_X_INITIALIZER';
  constructor(cause: unknown) {
    super(
      `The pool's initializer threw in a new child process: ${cause instanceof Error ? cause.message : String(cause)}. Fix the initializer; no task ran in that child.`,
      { cause },
    );
  }
}
