/**
 * The `initializer` of a `ProcessPool` threw in a new child process, so the child was not used. Tasks
 * that were waiting for it fail with a `WorkerCrashedError` whose `cause` is this error; after three
 * children in a row fail this way, the queued tasks fail too instead of the pool respawning forever.
 */
export class InitializerError extends Error {
  override readonly name = 'InitializerError';
  readonly code = 'ERR_X_INITIALIZER';
  constructor(cause: unknown) {
    super(
      `The pool's initializer threw in a new child process: ${cause instanceof Error ? cause.message : String(cause)}. Fix the initializer; no task ran in that child.`,
      { cause },
    );
  }
}
