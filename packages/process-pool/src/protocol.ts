// The messages a ProcessPool child exchanges with its transport around the executor protocol: the
// initializer it must run first, and whether that worked.

/** Parent -> child, first message: `[INIT, RemoteRef | 0, initArgs]`. */
export const INIT = 'x-process-pool:init';
/**
 * Child -> parent: `[INIT_DONE, progress: boolean]`, the initializer returned (or there was none) and the
 * worker loop starts; `progress` says whether the child publishes task starts in the progress file.
 */
export const INIT_DONE = 'x-process-pool:init-done';
/** Child -> parent, instead of any result: `[INIT_FAILED, SerializedError]`; the child then exits. */
export const INIT_FAILED = 'x-process-pool:init-failed';
/** Exit code of a child whose initializer failed. */
export const INIT_FAILED_EXIT_CODE = 70;
