import { UnretrievedTaskError } from './errors.js';

/**
 * The unobserved-failure policy. A failed task that nobody retrieved is not reported at once: "schedule
 * now, await later" is the point of a task, and the caller may be busy awaiting another one. It is reported
 * when it can no longer be retrieved (the task object was garbage-collected) or when the program is about to
 * end (the event loop emptied), like asyncio's "Task exception was never retrieved". The report is a
 * deliberately unhandled rejection of an `UnretrievedTaskError`, so Node's own policy applies: by default
 * the process prints it and exits with code 1; `process.on('unhandledRejection')` and
 * `--unhandled-rejections` work as for any promise.
 */

/** One unretrieved failure; it never references its task, so the task can be collected. */
export interface PendingReport {
  readonly name: string;
  readonly error: unknown;
}

const pending = new Set<PendingReport>();
let registry: FinalizationRegistry<PendingReport> | undefined;
let listening = false;

function raise(report: PendingReport): void {
  if (!pending.delete(report)) return;
  if (pending.size === 0) stopListening();
  // Left unhandled on purpose: this is how the failure reaches Node's unhandled-rejection policy.
  void Promise.reject(new UnretrievedTaskError(report.name, report.error));
}

function onBeforeExit(): void {
  for (const report of [...pending]) raise(report);
}

function stopListening(): void {
  if (!listening) return;
  listening = false;
  process.off('beforeExit', onBeforeExit);
}

/** Starts watching a failed task; call {@link retrieved} when someone looks at its outcome. */
export function track(task: object, name: string, error: unknown): PendingReport {
  // V8 keeps an error's raw stack frames, receivers included (the task itself, via `new Task`), until `stack`
  // is first read; formatting it now lets the task be collected.
  try {
    void (error as { stack?: unknown } | null)?.stack;
  } catch {
    // A hostile getter: nothing to release.
  }
  const report: PendingReport = { name, error };
  pending.add(report);
  registry ??= new FinalizationRegistry(raise);
  registry.register(task, report, report);
  if (!listening && typeof process !== 'undefined' && typeof process.on === 'function') {
    listening = true;
    process.on('beforeExit', onBeforeExit);
  }
  return report;
}

/** The failure was retrieved after all: nothing to report. */
export function retrieved(report: PendingReport): void {
  if (!pending.delete(report)) return;
  registry?.unregister(report);
  if (pending.size === 0) stopListening();
}
