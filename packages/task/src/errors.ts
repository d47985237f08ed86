import { brandErrorClass, describeReceived } from '@x/internal';

/**
 * Every error this package creates. Invalid arguments are plain `TypeError`s with Node core's
 * `ERR_INVALID_ARG_TYPE` code, thrown synchronously before anything starts.
 */

/**
 * The default reason a task is cancelled with (by `task.cancel()` without a reason, or by its group when a
 * sibling failed); `cause` holds the failure that triggered it, if any.
 *
 * @example
 * ```ts
 * const task = createTask((signal) => fetch(url, { signal }));
 * task.cancel();
 * await task.catch((error) => error.name); // 'AbortError'
 * ```
 * Like Python's `asyncio.CancelledError`.
 */
export class AbortError extends Error {
  static {
    brandErrorClass(this, 'ERR_X_ABORTED');
  }

  override readonly name = 'AbortError';
  readonly code = 'ERR_X_ABORTED';

  constructor(message = 'The operation was aborted.', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * Thrown by `task.result()` / `task.exception()` before the task has settled, and by `group.spawn()` once
 * the group has finished.
 *
 * @example
 * ```ts
 * const task = createTask(() => sleep(100));
 * task.result(); // throws InvalidStateError: Task 'Task-1' is not done yet...
 * ```
 * Like Python's `asyncio.InvalidStateError` (and the `RuntimeError` of a finished `TaskGroup`).
 */
export class InvalidStateError extends Error {
  static {
    brandErrorClass(this, 'ERR_X_INVALID_STATE');
  }

  override readonly name = 'InvalidStateError';
  readonly code = 'ERR_X_INVALID_STATE';
}

/**
 * What a `TaskGroup` rejects with when children (or the group's body) failed: `errors` holds the real
 * failures only, in the order they happened; the cancellations the group caused are left out.
 *
 * @example
 * ```ts
 * try {
 *   await taskGroup(async (group) => {
 *     group.spawn(() => Promise.reject(new Error('orders down')));
 *     group.spawn((signal) => fetch(usersUrl, { signal })); // aborted, not reported
 *   });
 * } catch (error) {
 *   if (error instanceof TaskGroupError) console.log(error.errors); // [Error: orders down]
 * }
 * ```
 * Like Python's `ExceptionGroup` raised by `asyncio.TaskGroup`.
 */
export class TaskGroupError extends AggregateError {
  static {
    brandErrorClass(this, 'ERR_X_TASK_GROUP');
  }

  override readonly name = 'TaskGroupError';
  readonly code = 'ERR_X_TASK_GROUP';

  constructor(errors: readonly unknown[], options?: { cause?: unknown }) {
    const first = errors[0];
    const summary = first instanceof Error ? `${first.name}: ${first.message}` : String(first);
    super(
      errors,
      `${errors.length} task${errors.length === 1 ? '' : 's'} of the group failed (first: ${summary}). ` +
        'The other tasks were cancelled; see `errors` for every failure.',
      // AggregateError's constructor takes `cause` since ES2022.
      options,
    );
  }
}

/**
 * The report of a task that failed and was never retrieved: neither awaited nor asked for its
 * `exception()`/`result()`, and not in a group. It is raised as an unhandled promise rejection when the task
 * is garbage-collected or when the event loop empties, whichever comes first; `cause` is the task's error.
 *
 * @example
 * ```ts
 * createTask(async () => { throw new Error('lost'); }, { name: 'sync-users' });
 * // at exit: UnretrievedTaskError: Task exception was never retrieved: task 'sync-users' failed with Error: lost...
 * ```
 * Like asyncio's "Task exception was never retrieved" log message.
 */
export class UnretrievedTaskError extends Error {
  static {
    brandErrorClass(this, 'ERR_X_TASK_NEVER_RETRIEVED');
  }

  override readonly name = 'UnretrievedTaskError';
  readonly code = 'ERR_X_TASK_NEVER_RETRIEVED';
  /** The name of the task that failed. */
  readonly taskName: string;

  constructor(taskName: string, error: unknown) {
    const what = error instanceof Error ? `${error.name}: ${error.message}` : describeReceived(error).trim();
    super(
      `Task exception was never retrieved: task '${taskName}' failed with ${what}. ` +
        'Await the task, call task.exception(), or spawn it in a TaskGroup. See `cause` for the stack.',
      { cause: error },
    );
    this.taskName = taskName;
  }
}
