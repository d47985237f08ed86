import { runInNewContext } from 'node:vm';
import { WorkerCrashedError } from '@x/executor';

/** The error of an at-most-once task whose worker was lost: it is not run again. */
export function lostWorkerError(stalls: number): WorkerCrashedError {
  return new WorkerCrashedError(
    null,
    null,
    `The worker running this task was lost (its lock expired ${stalls === 1 ? 'once' : `${stalls} times`}: the process died or stopped answering) before the task finished. With onWorkerLost: 'fail' it is not run again; submit it again if that is safe, or use onWorkerLost: 'retry'.`,
  );
}

const compiled = new Map<string, (...args: unknown[]) => unknown>();
const MAX_COMPILED = 1024;

/**
 * Evaluates `(source)` in an empty context (no `process`, no `require`), with a time limit and its microtasks
 * run inside it: the text must be a function expression, and anything else in it cannot reach this process or
 * hold its event loop. The function it makes is never called here.
 */
function evaluate(code: string): unknown {
  return runInNewContext(code, Object.create(null), { timeout: 100, microtaskMode: 'afterEvaluate' });
}

/**
 * A function object whose source text is exactly `source` (what the executor sent), compiled once per text, so
 * the local pool, which ships functions by their source, runs the same code. Throws a `TypeError` for a text
 * that is not a function.
 */
export function compileSource(source: string): (...args: unknown[]) => unknown {
  let fn = compiled.get(source);
  if (fn !== undefined) return fn;
  let value: unknown;
  try {
    value = evaluate(`(${source}\n)`);
  } catch (error) {
    if (!(error instanceof SyntaxError) && (error as Error)?.name !== 'SyntaxError') throw error;
    // Method shorthand (`run(x) { ... }`) is not an expression on its own.
    value = Object.values(evaluate(`({${source}\n})`) as object)[0];
  }
  if (typeof value !== 'function') {
    throw new TypeError(`The source sent to the worker is not a function: ${source.slice(0, 200)}`);
  }
  fn = value as (...args: unknown[]) => unknown;
  if (compiled.size >= MAX_COMPILED) compiled.clear();
  compiled.set(source, fn);
  return fn;
}

/** How long a cancel for a job this worker has not started yet is remembered (it may be about to start). */
const EARLY_CANCEL_TTL = 60_000;

/**
 * The running jobs of one worker and their abort controllers. A cancel arrives by pub/sub at every worker; the
 * one running the job aborts it, and a worker about to start it (the cancel overtook the job) remembers it for
 * a minute, so the job starts already aborted.
 */
export class CancelRegistry {
  readonly #running = new Map<string, AbortController>();
  readonly #early = new Map<string, number>();

  /** The controller of a job starting now (aborted already if its cancel came first). */
  register(jobId: string): AbortController {
    const controller = new AbortController();
    this.#running.set(jobId, controller);
    if (this.#early.delete(jobId)) controller.abort(new Error('Cancelled by the executor.'));
    return controller;
  }

  release(jobId: string): void {
    this.#running.delete(jobId);
  }

  cancel(jobId: string): void {
    const controller = this.#running.get(jobId);
    if (controller !== undefined) {
      controller.abort(new Error('Cancelled by the executor.'));
      return;
    }
    const now = Date.now();
    this.#early.set(jobId, now + EARLY_CANCEL_TTL);
    // Oldest first (insertion order): drop the expired ones, so the map stays bounded by a minute of cancels.
    for (const [id, until] of this.#early) {
      if (until > now) break;
      this.#early.delete(id);
    }
  }

  cancelAll(reason: Error): void {
    for (const controller of this.#running.values()) controller.abort(reason);
  }
}
