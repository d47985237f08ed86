import pLimit from 'p-limit';
import type { OperationFunction } from './types.js';
import { isThenable } from './validate.js';

/**
 * One run over a list of operations: starts the functions in at most `concurrency` lanes and reports every
 * settlement to `onSettle`. Promises in the list are already running, so they are only watched.
 *
 * Why lanes: `p-limit` allocates several promises and closures per call (~2 µs per op measured here), so calling it
 * once per op makes a limited gather as slow as p-limit. Instead each lane is one `p-limit` job that pulls the next
 * function from a shared cursor until none is left: p-limit still enforces the bound, but is called `concurrency`
 * times per run instead of once per op, and an op costs one `await`.
 */
export class OpsRun {
  /** Set when the run gives up (failure, abort, early exit): lanes start nothing more. */
  stopped = false;
  /** Next position a lane looks at. */
  cursor = 0;

  constructor(
    readonly ops: readonly unknown[],
    /** The one signal every function op gets. */
    readonly signal: AbortSignal,
    readonly onSettle: (index: number, ok: boolean, value: unknown) => void,
  ) {}

  /** Starts the run; nothing is started synchronously when `p-limit` gates the lanes (it defers by a microtask). */
  start(concurrency: number): void {
    const ops = this.ops;
    let functions = 0;
    for (let i = 0; i < ops.length; i++) {
      if (typeof ops[i] === 'function') functions++;
      else void watch(this, i, ops[i] as PromiseLike<unknown>);
    }
    if (functions <= concurrency) {
      for (let k = 0; k < functions && !this.stopped; k++) void lane(this);
    } else {
      const limit = pLimit(concurrency);
      for (let k = 0; k < concurrency; k++) void limit(lane, this);
    }
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
