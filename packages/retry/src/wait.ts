import { nextTurn, onAbort } from '@x/internal';

/**
 * Resolves after `ms` milliseconds, or rejects with `signal.reason` as soon as `signal` aborts (the timer and
 * the listener are dropped either way). `ms <= 0` still yields one turn of the event loop, so a retry loop of
 * synchronous failures cannot starve timers and I/O (and the caller's abort along with them). The timer keeps
 * the process alive, like any pending work.
 */
export function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const subscription =
      signal === undefined
        ? undefined
        : onAbort(signal, (reason) => {
            if (timer !== undefined) clearTimeout(timer);
            reject(reason);
          });
    const done = () => {
      subscription?.unsubscribe();
      resolve();
    };
    if (ms > 0) timer = setTimeout(done, ms);
    else nextTurn(done);
  });
}
