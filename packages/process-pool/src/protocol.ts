// The messages a ProcessPool child exchanges with its transport around the executor protocol: the
// initializer it must run first, and whether that worked.

/** Parent -> child, first message: `[INIT, initializer: RemoteRef | 0, initArgs, teardown: RemoteRef | 0]`. */
export const INIT = 'x-process-pool:init';
/**
 * Child -> parent: `[INIT_DONE, progress: boolean]`, the initializer returned (or there was none) and the
 * worker loop starts; `progress` says whether the child publishes task starts in the progress file.
 */
export const INIT_DONE = 'x-process-pool:init-done';
/** Child -> parent, instead of any result: `[INIT_FAILED, SerializedError]`; the child then exits. */
export const INIT_FAILED = 'x-process-pool:init-failed';
/** Parent -> child: `[STOP]`, run the teardown, then exit (a graceful stop of an idle child). */
export const STOP = 'x-process-pool:stop';
/**
 * Child -> parent, right before each results message when the pool has a `maxMemory`: `[MEMORY, rssMiB]`.
 * The child is started with `--memory` then.
 */
export const MEMORY = 'x-process-pool:memory';
/** Exit code of a child whose initializer failed. */
export const INIT_FAILED_EXIT_CODE = 70;

/**
 * With `serialization: 'json'`, a `MSG_RUN` message (parent -> child) or `MSG_RESULTS` message (child ->
 * parent) in which some top-level values (arguments, results) are `undefined`, which JSON would turn into
 * `null`: `[JSON_UNDEFINED, [original second slot, ...indexes], ...rest]`. The receiver puts `undefined`
 * back at those indexes and restores the original tag.
 */
export const JSON_UNDEFINED_RUN = 'x-process-pool:run-with-undefined';
export const JSON_UNDEFINED_RESULTS = 'x-process-pool:results-with-undefined';

/** Encodes `message` for JSON when some of the `indexes` slots hold `undefined` (see JSON_UNDEFINED_*). */
export function encodeUndefined(message: unknown[], tag: string, indexes: number[]): unknown[] {
  const copy = message.slice();
  for (const i of indexes) copy[i] = null;
  copy[1] = [message[1], ...indexes];
  copy[0] = tag;
  return copy;
}

/** Undoes {@link encodeUndefined} in place, restoring the original tag `original`. */
export function decodeUndefined(message: unknown[], original: number): unknown[] {
  const [second, ...indexes] = message[1] as [unknown, ...number[]];
  for (const i of indexes) message[i] = undefined;
  message[1] = second;
  message[0] = original;
  return message;
}
