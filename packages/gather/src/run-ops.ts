import { callCounted, callWithTimeout, promiseWithTimeout, type Running } from './guard.js';
import type { OperationFunction } from './types.js';
import { isThenable } from './validate.js';

/**
 * One run over a list of operations: starts the functions in at most `concurrency` lanes and reports every
 * settlement to `onSettle`. Promises in the list are already running, so they are only watched.
 *
 * Why lanes: a limiter called once per op (`p-limit` allocates several promises and closures per call, ~2 µs per op
 * measured here) makes a limited gather as slow as the limiter. Instead each lane pulls the next function from a
 * shared cursor until none is left, so `concurrency` lanes are the bound itself, and an op costs one `await`.
 */
export class OpsRun {
  /** Set when the run gives up (failure, abort, early exit): lanes start nothing more. */
  stopped = false;
  /** Next position a lane looks at. */
  cursor = 0;
  /** Per-operation deadline in ms (`Infinity`: none). */
  timeout = Number.POSITIVE_INFINITY;
  /** Set for `waitForStop`: counts the started functions that have not really settled. */
  running: Running | undefined = undefined;

  constructor(
    readonly ops: readonly unknown[],
    /** The one signal every function op gets. */
    readonly signal: AbortSignal,
    readonly onSettle: (index: number, ok: boolean, value: unknown) => void,
  ) {}

  /**
   * Starts the run. The start rule of the whole package: the first `concurrency` functions are called
   * synchronously, inside this call; each later one as soon as a lane is free. Returns the lanes' and watchers'
   * promises (they never reject): a caller that settles its own promise through them keeps the async stack trace
   * of an operation's error (see `gather`).
   */
  start(concurrency: number): Promise<void>[] {
    const ops = this.ops;
    const tasks: Promise<void>[] = [];
    const timed = this.timeout !== Number.POSITIVE_INFINITY;
    let functions = 0;
    for (let i = 0; i < ops.length; i++) {
      if (typeof ops[i] === 'function') functions++;
      else {
        const promise = ops[i] as PromiseLike<unknown>;
        tasks.push(watch(this, i, timed ? promiseWithTimeout(promise, this.signal, this.timeout) : promise));
      }
    }
    const lanes = Math.min(functions, concurrency);
    // The plain lane is the hot path; deadlines and waitForStop's counting take the guarded one.
    const run = timed || this.running !== undefined ? guardedLane : lane;
    for (let k = 0; k < lanes && !this.stopped; k++) tasks.push(run(this));
    return tasks;
  }
}

async function lane(run: OpsRun): Promise<void> {
  const ops = run.ops;
  const n = ops.length;
  while (!run.stopped) {
    let i = run.cursor;
    while (i < n && typeof ops[i] !== 'function') i++;
    if (i >= n) {
      run.cursor = n;
      return;
    }
    run.cursor = i + 1;
    let ok = true;
    let value: unknown;
    try {
      value = (ops[i] as OperationFunction)(run.signal);
      if (isThenable(value)) value = await value;
    } catch (error) {
      ok = false;
      value = error;
    }
    run.onSettle(i, ok, value);
  }
}

/** `lane` for runs with a per-operation deadline or `waitForStop`. */
async function guardedLane(run: OpsRun): Promise<void> {
  const ops = run.ops;
  const n = ops.length;
  while (!run.stopped) {
    let i = run.cursor;
    while (i < n && typeof ops[i] !== 'function') i++;
    if (i >= n) {
      run.cursor = n;
      return;
    }
    run.cursor = i + 1;
    let ok = true;
    let value: unknown;
    try {
      const op = ops[i] as OperationFunction;
      value =
        run.timeout !== Number.POSITIVE_INFINITY
          ? callWithTimeout(op, run.signal, run.timeout, run.running)
          : callCounted(op, run.signal, run.running!);
      if (isThenable(value)) value = await value;
    } catch (error) {
      ok = false;
      value = error;
    }
    run.onSettle(i, ok, value);
  }
}

async function watch(run: OpsRun, index: number, promise: PromiseLike<unknown>): Promise<void> {
  let ok = true;
  let value: unknown;
  try {
    value = await promise;
  } catch (error) {
    ok = false;
    value = error;
  }
  run.onSettle(index, ok, value);
}
