import diagnosticsChannel from 'node:diagnostics_channel';

/** The context published with each of a task's events on {@link taskChannel}. */
export interface TaskTraceContext {
  /** The task's id (unique among live tasks). */
  id: number;
  /** The pool that runs it. */
  pool: object;
  /** What it runs: `url#export` for a module function, else the function's name (or `anonymous`). */
  label: string;
  /** Set on `asyncStart`/`asyncEnd` of a task that returned: its value. */
  result?: unknown;
  /** Set on `error`, `asyncStart`, `asyncEnd` of a task that failed: its error. */
  error?: unknown;
}

/**
 * Every task of every pool: `tracingChannel('@x/executor:task')`, the standard APM tools subscribe to
 * (`start`/`end` around `submit`, with the start channel's bound stores entered for it; `error`, then
 * `asyncStart`/`asyncEnd` when the task settles, before the caller's continuations run).
 */
export const taskChannel = diagnosticsChannel.tracingChannel<unknown, TaskTraceContext>('@x/executor:task');

/** Whether anyone listens: with nobody, tasks are not traced at all (no context, no wrapping). */
export function tracing(): boolean {
  const channel = taskChannel as typeof taskChannel & { hasSubscribers?: boolean };
  // `TracingChannel#hasSubscribers` arrived in Node 20.13; before, ask the sub-channels.
  if (channel.hasSubscribers !== undefined) return channel.hasSubscribers;
  return (
    taskChannel.start.hasSubscribers ||
    taskChannel.end.hasSubscribers ||
    taskChannel.asyncStart.hasSubscribers ||
    taskChannel.asyncEnd.hasSubscribers ||
    taskChannel.error.hasSubscribers
  );
}

/** Publishes the end of a traced task: `error` (failed), then `asyncStart` and `asyncEnd`, as `tracePromise` does. */
export function traceSettled(context: TaskTraceContext, ok: boolean, value: unknown): void {
  if (ok) context.result = value;
  else {
    context.error = value;
    taskChannel.error.publish(context);
  }
  taskChannel.asyncStart.publish(context);
  taskChannel.asyncEnd.publish(context);
}

/**
 * Whether `channel` may have stores bound (`bindStore`, e.g. an `AsyncLocalStorage` of an APM tool), in which
 * case `start` must go through `runStores`; without, a plain `publish` saves a closure and an array per task.
 * Reads Node's internal `_stores` map (Node 19.9 to 24); anything unexpected counts as "may have".
 */
export function hasStores(channel: object): boolean {
  const stores = (channel as { _stores?: unknown })._stores;
  return !(stores instanceof Map) || stores.size > 0;
}
