import { invalidArgType, validateObject } from '@x/internal';
import { Task, type TaskOptions } from './task.js';
import { isThenable, validateName } from './validate.js';

/** Options of {@link shield}. */
export interface ShieldOptions {
  /** Name of the shielding task. Default: `shield(<inner name>)`. */
  name?: string;
}

/**
 * Returns a new task that settles like `inner` but whose cancellation (by `cancel()`, its group or a signal)
 * does not reach `inner`: the shield settles as cancelled at once while `inner` keeps running. `inner` may be
 * a task, any promise, or a function to start as a task. If the shield was cancelled and `inner` fails later,
 * that failure is not retrieved by the shield, so the unobserved-failure policy still reports it.
 * Throws `TypeError` if `inner` is none of those.
 *
 * @example
 * ```ts
 * await taskGroup(async (group) => {
 *   group.spawn(() => shield(() => saveDraft(doc))); // finishes even if a sibling fails
 *   group.spawn((signal) => render(doc, signal));
 * });
 * ```
 * Like Python's `asyncio.shield`.
 */
export function shield<T>(
  inner: Task<T> | PromiseLike<T> | ((signal: AbortSignal) => T | PromiseLike<T>),
  options?: ShieldOptions,
): Task<T> {
  if (!(inner instanceof Task) && typeof inner !== 'function' && !isThenable(inner))
    throw invalidArgType('inner', 'a Task, a promise or a function', inner);
  validateObject(options, 'options');
  const givenName = validateName(options?.name);
  const task: Task<T> =
    inner instanceof Task ? inner : typeof inner === 'function' ? new Task(inner) : new Task(() => inner);
  const name = givenName ?? `shield(${task.name})`;
  const shieldOptions: TaskOptions = { name };
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
