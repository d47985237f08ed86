import {
  describeReceived,
  onAbort,
  ownOptions,
  subject,
  validateDuration,
  validateInteger,
  validateSignal,
} from '@x/internal';
import type { Executor, MapOptions } from './executor.js';
import { type RemoteFunction, toRemoteRef } from './remote-function.js';

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * `Executor.map` for any executor: validates at the call, then lazily pulls items, keeps at most
 * `concurrency` tasks in flight, yields results in input order (or completion order), and on the first
 * failure, an early `break` or an abort cancels the tasks in flight and closes the source iterator.
 *
 * @example
 * ```ts
 * map(fn, items, options) { return mapOnExecutor(this, fn, items, options, 8); }
 * ```
 * Like Python's `Executor.map`, but lazy and bounded.
 */
export function mapOnExecutor<R>(
  executor: Pick<Executor, 'submit'>,
  fn: RemoteFunction,
  items: Iterable<unknown> | AsyncIterable<unknown>,
  options: MapOptions | undefined,
  defaultConcurrency: number,
): AsyncIterable<R> {
  toRemoteRef(fn, 'fn');
  const isAsync =
    items != null && typeof (items as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
  if (!isAsync && (items == null || typeof (items as Iterable<unknown>)[Symbol.iterator] !== 'function')) {
    throw new TypeError(
      `${subject('items')} must be an iterable or async iterable.${describeReceived(items)}`,
    );
  }
  options = ownOptions(options, 'options');
  validateInteger(options?.concurrency, 'options.concurrency', 1, Number.POSITIVE_INFINITY, true);
  validateSignal(options?.signal, 'options.signal');
  validateDuration(options?.timeout, 'options.timeout');
  const concurrency = options?.concurrency ?? defaultConcurrency;
  const ordered = options?.ordered ?? true;
  const outer = options?.signal;
  const timeout = options?.timeout;

  return {
    async *[Symbol.asyncIterator]() {
      const controller = new AbortController();
      if (outer?.aborted) throw outer.reason;
      const subscription = outer && onAbort(outer, (reason) => controller.abort(reason));
      const source = isAsync
        ? (items as AsyncIterable<unknown>)[Symbol.asyncIterator]()
        : (items as Iterable<unknown>)[Symbol.iterator]();
      const window: Array<Promise<Outcome>> = [];
      const done: Outcome[] = [];
      let wake: (() => void) | undefined;
      let inFlight = 0;
      let exhausted = false;
      const options = { signal: controller.signal, timeout };
      const start = (item: unknown) => {
        inFlight++;
        const outcome = executor.submit(fn, [item] as never, options).then(
          (value): Outcome => ({ ok: true, value }),
          (error: unknown): Outcome => ({ ok: false, error }),
        );
        if (ordered) window.push(outcome);
        else {
          void outcome.then((o) => {
            done.push(o);
            wake?.();
          });
        }
      };
      try {
        for (;;) {
          while (!exhausted && inFlight < concurrency) {
            if (controller.signal.aborted) throw controller.signal.reason;
            const next = await source.next();
            if (next.done) exhausted = true;
            else start(next.value);
          }
          if (inFlight === 0) return;
          let outcome: Outcome;
          if (ordered) outcome = await window.shift()!;
          else {
            while (done.length === 0) await new Promise<void>((resolve) => (wake = resolve));
            wake = undefined;
            outcome = done.shift()!;
          }
          inFlight--;
          if (!outcome.ok) throw outcome.error;
          yield outcome.value as R;
        }
      } finally {
        subscription?.unsubscribe();
        if (inFlight > 0) controller.abort(new Error('map() ended before this task finished.'));
        if (!exhausted) await source.return?.();
      }
    },
  };
}
