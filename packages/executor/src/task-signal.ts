import { AsyncLocalStorage } from 'node:async_hooks';
import { AbortError, OutsideTaskError } from './errors.js';

// Registered symbol: the task imports `@x/executor` (its own copy, ESM or CJS) while the worker loop runs in
// another bundle; both meet on this global slot.
const SCOPE = Symbol.for('@x/executor.taskScope');

interface ScopeProvider {
  /** The running task's signal; throws OutsideTaskError when there is none. */
  signal(): AbortSignal;
}

/**
 * Returns the `AbortSignal` of the task that calls it, inside a worker of a pool: it is aborted (with an
 * `AbortError`) when the task is cancelled (its caller's `signal`, a `timeout`, a consumer leaving a stream
 * early), so a fetch, a timer or a stream inside the task stops too instead of running on behind an
 * abandoned task. Throws {@link OutsideTaskError} anywhere else. A self-contained function reaches it with
 * `await import('@x/executor')`. When a worker runs several tasks at once (`concurrentTasksPerWorker`), call
 * it before the task's first `await`, or the worker may not know which task asks.
 *
 * @example
 * ```ts
 * import { taskSignal } from '@x/executor';
 * export async function download(url: string) {
 *   const response = await fetch(url, { signal: taskSignal() }); // aborted with the task
 *   return response.text();
 * }
 * ```
 * Python's `concurrent.futures` has no counterpart: there a cancelled task cannot tell.
 */
export function taskSignal(): AbortSignal {
  const provider = (globalThis as Record<symbol, ScopeProvider | undefined>)[SCOPE];
  if (provider === undefined) throw new OutsideTaskError();
  return provider.signal();
}

const cancelled = () =>
  new AbortError('The task was cancelled (its caller aborted, it timed out, or its stream was closed).');

/**
 * Worker side of {@link taskSignal}: knows which task runs and owns the signals tasks asked for. A signal is
 * made only when a task asks for one; until a task asks after an `await`, the scope costs two assignments per
 * task. From then on (that worker runs code that needs it) tasks run inside an `AsyncLocalStorage`, which
 * follows a task across its awaits.
 */
export class TaskScope {
  /** The task whose synchronous part runs now, 0 when none. */
  current = 0;
  /** Tracks tasks across awaits once a task needed it (see class doc). */
  als: AsyncLocalStorage<number> | undefined;
  readonly #controllers = new Map<number, AbortController>();
  /** Tasks cancelled whose function has not settled yet (it may still run after an await). */
  readonly #cancelled = new Set<number>();
  readonly #running: ReadonlySet<number>;

  /** @param running the ids of the tasks that have started and not settled (the worker loop's own set). */
  constructor(running: ReadonlySet<number>) {
    this.#running = running;
    (globalThis as Record<symbol, ScopeProvider>)[SCOPE] = { signal: () => this.#signal() };
  }

  /** Some task holds a signal: call {@link done} for settled tasks. */
  get used(): boolean {
    return this.#controllers.size > 0;
  }

  /** Runs `fn(...args)` as part of task `id` (its signal is found synchronously and across awaits). */
  run<A extends unknown[], R>(id: number, fn: (...args: A) => R, ...args: A): R {
    const outer = this.current;
    this.current = id;
    try {
      return this.als === undefined ? fn(...args) : this.als.run(id, fn, ...args);
    } finally {
      this.current = outer;
    }
  }

  /** Task `id`, running, was cancelled: aborts its signal (one it asks for later is aborted already). */
  abort(id: number): void {
    this.#cancelled.add(id);
    let controller = this.#controllers.get(id);
    if (controller === undefined) this.#controllers.set(id, (controller = new AbortController()));
    if (!controller.signal.aborted) controller.abort(cancelled());
  }

  /** Task `id` settled: forgets its signal. */
  done(id: number): void {
    this.#controllers.delete(id);
    this.#cancelled.delete(id);
  }

  /** The one task whose code may be running (running, or cancelled and not settled), or throws. */
  #only(): number {
    const candidates = new Set([...this.#running, ...this.#cancelled]);
    if (candidates.size === 1) return candidates.values().next().value as number;
    throw new OutsideTaskError(
      candidates.size === 0
        ? undefined
        : `taskSignal() was called after an await while this worker runs ${candidates.size} tasks at once, so it cannot tell which task asks. Call it at the start of the task, before its first await (tasks started from now on are tracked across awaits).`,
    );
  }

  #signal(): AbortSignal {
    let id = this.current;
    if (id === 0 && this.als !== undefined) id = this.als.getStore() ?? 0;
    if (id === 0) {
      // After an await, before tasks ran in an AsyncLocalStorage. With one task running it can only be that one;
      // either way, the tasks that start from now on are tracked across their awaits.
      this.als ??= new AsyncLocalStorage();
      id = this.#only();
    }
    const controller = this.#controllers.get(id);
    if (controller !== undefined) return controller.signal;
    // Still running: a live signal. Otherwise the task was cancelled and this is code it left behind.
    if (id !== this.current && !this.#running.has(id)) return AbortSignal.abort(cancelled());
    const fresh = new AbortController();
    this.#controllers.set(id, fresh);
    return fresh.signal;
  }
}
