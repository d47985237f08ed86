import { onAbort } from '@x/internal';
import { abortedBySibling } from './errors.js';
import { Running } from './guard.js';
import { observeAll } from './observe.js';
import { OpsRun } from './run-ops.js';
import { sharedController } from './shared-controller.js';
import { type CommonOptions, isThenable } from './validate.js';

/**
 * Runs a validated list of operations with validated options: `Promise.all` when nothing needs a lane, else the lane
 * loop (a limit below the number of functions, a per-operation timeout, waitForStop).
 */
export function runOperations(list: readonly unknown[], options: CommonOptions): Promise<unknown[]> {
  const { concurrency, signal, returnExceptions, timeout, waitForStop } = options;
  if (signal?.aborted) {
    observeAll(list);
    return Promise.reject(signal.reason);
  }
  const guarded = waitForStop || timeout !== Number.POSITIVE_INFINITY;
  if (guarded || concurrency < list.length) {
    let functions = 0;
    for (let i = 0; i < list.length; i++) if (typeof list[i] === 'function') functions++;
    if (guarded || functions > concurrency) return gatherLimited(list, options);
  }
  return gatherAll(list, signal, returnExceptions);
}

const passError = (error: unknown) => error;

/** What `startOne` needs, passed as `map`'s `thisArg` so no closure is created per call. */
interface Start {
  controller: AbortController | undefined;
  signal: AbortSignal | undefined;
  readonly returnExceptions: boolean;
  failed: boolean;
  error: unknown;
}

/** Starts one operation; after a synchronous throw (fail-fast) it starts nothing more. */
function startOne(this: Start, op: unknown): unknown {
  if (typeof op !== 'function')
    return this.returnExceptions ? Promise.resolve(op).then(undefined, passError) : op;
  if (this.failed) return undefined;
  if (this.signal === undefined) {
    this.controller = sharedController();
    this.signal = this.controller.signal;
  }
  try {
    const value = op(this.signal);
    return this.returnExceptions && isThenable(value)
      ? Promise.resolve(value).then(undefined, passError)
      : value;
  } catch (error) {
    if (this.returnExceptions) return error;
    this.failed = true;
    this.error = error;
    return undefined;
  }
}

/**
 * Everything at once: one AbortController, `Array.prototype.map` (its packed result is what `Promise.all` is
 * fastest on) and `Promise.all`, which settles faster than anything we could write.
 *
 * Every path settles the returned promise through a chain V8 can follow (`Promise.all`, a derived promise, our own
 * resolve functions), never through a closure that calls `reject`: V8 writes an error's async stack trace by
 * walking exactly such chains, so an operation's error keeps the caller's `await` frames.
 */
function gatherAll(
  ops: readonly unknown[],
  signal: AbortSignal | undefined,
  returnExceptions: boolean,
): Promise<unknown[]> {
  const start: Start = {
    controller: undefined,
    signal: undefined,
    returnExceptions,
    failed: false,
    error: undefined,
  };
  const values = ops.map(startOne, start);
  const controller = start.controller;
  if (start.failed) {
    controller!.abort(abortedBySibling(start.error));
    // We reject before Promise.all could observe these; observe them so none rejects unhandled.
    observeAll(values);
    return Promise.reject(start.error);
  }
  const all = Promise.all(values);
  if (signal === undefined) {
    if (returnExceptions || controller === undefined) return all;
    return all.then(undefined, (error: unknown) => {
      controller.abort(abortedBySibling(error));
      throw error;
    });
  }
  let resolve!: (results: unknown[]) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<unknown[]>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const onCallerAbort = (reason: unknown) => {
    controller?.abort(reason);
    reject(reason);
  };
  const subscription = onAbort(signal, onCallerAbort);
  // An operation may have aborted the caller's signal while it started (onAbort would then never fire).
  if (signal.aborted) onCallerAbort(signal.reason);
  all
    .then(
      (results) => {
        subscription.unsubscribe();
        return results;
      },
      (error: unknown) => {
        subscription.unsubscribe();
        if (!controller?.signal.aborted) controller?.abort(abortedBySibling(error));
        throw error;
      },
    )
    .then(resolve, reject);
  return promise;
}

/**
 * At most `concurrency` functions at once, in `concurrency` lanes (see OpsRun); also the path of a per-operation
 * `timeout` and of `waitForStop`, whatever the limit.
 */
function gatherLimited(ops: readonly unknown[], options: CommonOptions): Promise<unknown[]> {
  const { concurrency, signal, returnExceptions, timeout, waitForStop } = options;
  let resolve!: (results: unknown[]) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<unknown[]>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const controller = sharedController();
  const results: unknown[] = new Array(ops.length);
  let remaining = ops.length;
  const running = waitForStop ? new Running() : undefined;
  const fail = (reason: unknown) => {
    if (running === undefined) reject(reason);
    else running.whenIdle(() => reject(reason));
  };
  const run = new OpsRun(ops, controller.signal, (index, ok, value) => {
    if (run.stopped) return;
    if (ok || returnExceptions) {
      results[index] = value;
      if (--remaining === 0) {
        subscription?.unsubscribe();
        // With timeouts under returnExceptions, an operation that timed out may still be stopping.
        if (running === undefined) resolve(results);
        else running.whenIdle(() => resolve(results));
      }
      return;
    }
    run.stopped = true;
    subscription?.unsubscribe();
    controller.abort(abortedBySibling(value));
    fail(value);
  });
  run.timeout = timeout;
  run.running = running;
  const subscription =
    signal &&
    onAbort(signal, (reason) => {
      run.stopped = true;
      controller.abort(reason);
      fail(reason);
    });
  const lanes = run.start(concurrency);
  // Settlement goes through the closures above; this chain only lets V8 see, from inside an operation, that
  // `promise` waits on the lanes, so an operation's error keeps the caller's async stack trace. By the time every
  // lane has finished (and, with waitForStop, every operation has stopped), `promise` has already settled, so what
  // the chain delivers is ignored. (A lane whose operation timed out moves on while it stops: hence `idle`.)
  const lanesDone = Promise.all(lanes);
  (running === undefined ? lanesDone : lanesDone.then(running.idle)).then(
    resolve as (value: unknown) => void,
    reject,
  );
  return promise;
}
