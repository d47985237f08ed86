import {
  type AbortSubscription,
  asyncDispose,
  isCancellation,
  onAbort,
  ownOptions,
  validateSignal,
} from '@x/internal';
import { AbortError, InvalidStateError, TaskGroupError } from './errors.js';
import { childSettled, Task, type TaskFunction, type TaskOwner } from './task.js';
import { validateFunction, validateName } from './validate.js';

/** Options of `new TaskGroup()` and {@link taskGroup}. */
export interface TaskGroupOptions {
  /** Cancels the whole group (children and body) when it aborts; the group then rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/** Options of `TaskGroup#spawn`. */
export interface SpawnOptions {
  /** Shown in errors and reports. Default: `Task-<n>`. */
  name?: string;
}

const OPEN = 0;
const JOINING = 1;
const FINISHED = 2;

/** @internal Lets `taskGroup()` hand the group its body's failure. */
export const bodyFailed: unique symbol = Symbol('bodyFailed');

/**
 * A scope for tasks: it waits for every child; the first failure cancels the other children and the
 * group's `signal`, and the group then rejects with a {@link TaskGroupError} holding the real failures only.
 * A child cannot outlive its group. Use it with `await using` or through {@link taskGroup}.
 *
 * With `await using`, JavaScript does not tell the group that its block threw, so a throw there does not
 * cancel the children; use {@link taskGroup} when the body itself can fail.
 *
 * @example
 * ```ts
 * {
 *   await using group = new TaskGroup();
 *   const users = group.spawn((signal) => fetchJson('/users', signal));
 *   const orders = group.spawn((signal) => fetchJson('/orders', signal));
 * } // waits for both here; if one fails, the other's fetch is aborted and a TaskGroupError is thrown
 * ```
 * Like Python's `asyncio.TaskGroup`.
 */
export class TaskGroup implements TaskOwner, AsyncDisposable {
  readonly #controller = new AbortController();
  readonly #children = new Set<Task<unknown>>();
  readonly #failures: unknown[] = [];
  #state = OPEN;
  #outer: AbortSubscription | undefined = undefined;
  #cancelledByCaller = false;
  #join: Promise<void> | undefined = undefined;
  #resolveJoin: (() => void) | undefined = undefined;
  #rejectJoin: ((reason: unknown) => void) | undefined = undefined;

  /** Throws `TypeError` if `options.signal` is not an `AbortSignal`. */
  constructor(options?: TaskGroupOptions) {
    options = ownOptions(options, 'options');
    validateSignal(options?.signal, 'options.signal');
    const signal = options?.signal;
    if (signal === undefined) return;
    if (signal.aborted) {
      this.#cancelledByCaller = true;
      this.#abort(signal.reason);
      return;
    }
    this.#outer = onAbort(signal, (reason) => {
      this.#cancelledByCaller = true;
      this.#abort(reason);
    });
  }

  /**
   * Aborts when the group gives up: a child or the body failed (reason: an `AbortError` whose `cause` is that
   * failure) or the caller's signal aborted (its reason). Hand it to the body's own awaits.
   */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Number of children whose work has not settled yet. */
  get pending(): number {
    return this.#children.size;
  }

  /**
   * Starts `fn(signal)` now as a child of the group and returns its {@link Task}. Throws
   * {@link InvalidStateError} once the group has finished; while the group is shutting down after a failure,
   * returns a task that is already cancelled and never calls `fn`. Throws `TypeError` for bad arguments.
   *
   * @example
   * ```ts
   * await taskGroup(async (group) => {
   *   for (const id of ids) group.spawn((signal) => fetchUser(id, signal), { name: `user-${id}` });
   * });
   * ```
   * Like asyncio's `TaskGroup.create_task()`.
   */
  spawn<T>(fn: TaskFunction<T>, options?: SpawnOptions): Task<T> {
    validateFunction(fn, 'fn');
    options = ownOptions(options, 'options');
    const name = validateName(options?.name);
    if (this.#state === FINISHED)
      throw new InvalidStateError(
        `Cannot spawn${name === undefined ? '' : ` '${name}'`} into a TaskGroup that has finished. ` +
          'Spawn while the group is open (inside its block or body), or create a new group.',
      );
    const signal = this.#controller.signal;
    const task = new Task(
      fn,
      // The shutting-down case: the child is cancelled with the group's reason before it starts.
      signal.aborted ? { name, signal } : name === undefined ? undefined : { name },
      this,
    );
    this.#children.add(task as Task<unknown>);
    return task;
  }

  /** @internal */
  [childSettled](task: Task<unknown>, failed: boolean, error: unknown): void {
    this.#children.delete(task);
    if (failed) this.#fail(error);
    this.#maybeFinish();
  }

  /** @internal */
  [bodyFailed](error: unknown): void {
    const signal = this.#controller.signal;
    // The body awaiting a failed child rethrows that child's error: it is already counted.
    if (this.#failures.includes(error) || (signal.aborted && isCancellation(error, signal.reason))) return;
    this.#fail(error);
  }

  #fail(error: unknown): void {
    this.#failures.push(error);
    if (this.#controller.signal.aborted) return;
    const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    this.#abort(new AbortError(`Cancelled because a task of its group failed (${what}).`, { cause: error }));
  }

  #abort(reason: unknown): void {
    if (this.#controller.signal.aborted) return;
    this.#controller.abort(reason);
    for (const child of this.#children) child.cancel(reason);
  }

  /**
   * Closes the block: waits until every child (including ones spawned meanwhile) has settled, then resolves,
   * or rejects with a {@link TaskGroupError} of the real failures, or with the caller's `signal.reason` if the
   * caller cancelled the group and nothing failed. After it settles, `spawn()` throws.
   */
  join(): Promise<void> {
    if (this.#join === undefined) {
      this.#join = new Promise<void>((resolve, reject) => {
        this.#resolveJoin = resolve;
        this.#rejectJoin = reject;
      });
      this.#state = JOINING;
      this.#maybeFinish();
    }
    return this.#join;
  }

  /** Same as {@link TaskGroup.join}; what `await using` calls. */
  [asyncDispose](): Promise<void> {
    return this.join();
  }

  #maybeFinish(): void {
    if (this.#state !== JOINING || this.#children.size > 0) return;
    this.#state = FINISHED;
    this.#outer?.unsubscribe();
    this.#outer = undefined;
    const resolve = this.#resolveJoin!;
    const reject = this.#rejectJoin!;
    this.#resolveJoin = this.#rejectJoin = undefined;
    if (this.#failures.length > 0) {
      const reason = this.#cancelledByCaller ? this.#controller.signal.reason : undefined;
      reject(new TaskGroupError(this.#failures, reason === undefined ? undefined : { cause: reason }));
    } else if (this.#cancelledByCaller) reject(this.#controller.signal.reason);
    else resolve();
  }
}

/**
 * Runs `fn(group)` with a new {@link TaskGroup}, waits for every child, and resolves with `fn`'s value. If a
 * child or `fn` itself fails, the other children and `group.signal` are cancelled and it rejects with a
 * {@link TaskGroupError} of the real failures; if `options.signal` aborts first, with its reason.
 *
 * @example
 * ```ts
 * const [users, orders] = await taskGroup(async (group) => {
 *   const users = group.spawn((signal) => fetchJson('/users', signal));
 *   const orders = group.spawn((signal) => fetchJson('/orders', signal));
 *   return [await users, await orders];
 * });
 * ```
 * Like Python's `async with asyncio.TaskGroup() as group:`.
 */
export function taskGroup<T>(
  fn: (group: TaskGroup) => T | PromiseLike<T>,
  options?: TaskGroupOptions,
): Promise<T> {
  validateFunction(fn, 'fn');
  return runGroup(fn, new TaskGroup(options));
}

async function runGroup<T>(fn: (group: TaskGroup) => T | PromiseLike<T>, group: TaskGroup): Promise<T> {
  let value: T | undefined;
  try {
    value = await fn(group);
  } catch (error) {
    group[bodyFailed](error);
  }
  await group.join();
  return value as T;
}
