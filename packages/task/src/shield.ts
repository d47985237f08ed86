import { invalidArgType, ownOptions, validateOptionNames, validateSignal } from '@x/internal';
import { Task, type TaskOptions } from './task.js';
import { isThenable, validateName } from './validate.js';

/** Options of {@link shield}. */
export interface ShieldOptions {
  /** Name of the shielding task. Default: `shield(<inner name>)`. */
  name?: string;
  /**
   * Cancels the shield (not `inner`) when it aborts: the shield rejects at once with `signal.reason` while
   * `inner` runs on. Pass the signal of the task that awaits the shield, so that cancelling that task stops
   * the wait, as `await asyncio.shield(x)` raises `CancelledError` in a cancelled task. Default: none.
   */
  signal?: AbortSignal;
}

const SHIELD_OPTIONS = ['name', 'signal'];

/**
 * Returns a new task that settles like `inner` but whose cancellation (by `cancel()` or `options.signal`)
 * does not reach `inner`: the shield settles as cancelled at once while `inner` keeps running. `inner` may be
 * a task, any promise, or a function to start as a task. If the shield was cancelled and `inner` fails later,
 * that failure is not retrieved by the shield, so the unobserved-failure policy still reports it.
 * Throws `TypeError` if `inner` is none of those, and for bad or unknown options.
 *
 * A shield is a task of its own: awaiting it inside another task does not tie it to that task's
 * cancellation. Pass that task's signal as `options.signal` to stop waiting when it is cancelled.
 *
 * @example
 * ```ts
 * const save = createTask(() => saveDraft(doc));
 * const editor = createTask(async (signal) => {
 *   await shield(save, { signal }); // cancelling `editor` stops this wait at once; the save runs on
 *   await render(doc, signal);
 * });
 * ```
 * Like Python's `asyncio.shield` (`await asyncio.shield(save)` in the editor task).
 */
export function shield<T>(
  inner: Task<T> | PromiseLike<T> | ((signal: AbortSignal) => T | PromiseLike<T>),
  options?: ShieldOptions,
): Task<T> {
  if (!(inner instanceof Task) && typeof inner !== 'function' && !isThenable(inner))
    throw invalidArgType('inner', 'a Task, a promise or a function', inner);
  options = ownOptions(options, 'options');
  validateOptionNames(options, SHIELD_OPTIONS, 'options');
  const givenName = validateName(options?.name);
  const callerSignal = options?.signal;
  validateSignal(callerSignal, 'options.signal');
  const task: Task<T> =
    inner instanceof Task ? inner : typeof inner === 'function' ? new Task(inner) : new Task(() => inner);
  const name = givenName ?? `shield(${task.name})`;
  const shieldOptions: TaskOptions = callerSignal === undefined ? { name } : { name, signal: callerSignal };
  const outer: Task<T> = new Task<T>(
    (signal) =>
      new Promise<T>((resolve, reject) => {
        const onAbort = () => {
          stopWatching();
          reject(signal.reason);
        };
        // onDone rather than then(): once the shield is cancelled, inner's outcome stays unretrieved.
        const stopWatching = task.onDone((done) => {
          signal.removeEventListener('abort', onAbort);
          // Cancelling inner directly cancels the shield too, as in asyncio.
          if (done.cancelled) outer.cancel(readReason(done));
          try {
            resolve(done.result());
          } catch (error) {
            reject(error);
          }
        });
        signal.addEventListener('abort', onAbort, { once: true });
      }),
    shieldOptions,
  );
  return outer;
}

function readReason<T>(task: Task<T>): unknown {
  try {
    task.exception();
  } catch (reason) {
    return reason;
  }
  return undefined;
}
