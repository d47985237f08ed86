import { afterAll, beforeAll, expect } from 'vitest';

/** Fails the file if any promise rejected without a handler while its tests ran. */
export function trapUnhandledRejections(): void {
  const seen: unknown[] = [];
  const onUnhandled = (reason: unknown) => seen.push(reason);
  beforeAll(() => {
    process.on('unhandledRejection', onUnhandled);
  });
  afterAll(async () => {
    // Give late rejections a turn of the event loop to surface.
    await new Promise((resolve) => setTimeout(resolve, 20));
    process.off('unhandledRejection', onUnhandled);
    expect(seen).toEqual([]);
  });
}

/** Resolves after `ms` with a plain Node timer, independent of the code under test. */
export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A task like the seed's `task(name, seconds)`: finishes after `ms` unless its signal aborts, which clears its timer. */
export function slowTask(ms: number, value = 'done') {
  const state = {
    started: false,
    finished: false,
    timerCleared: false,
    signal: undefined as AbortSignal | undefined,
  };
  const run = (signal: AbortSignal) =>
    new Promise<string>((resolve, reject) => {
      state.started = true;
      state.signal = signal;
      const timer = setTimeout(() => {
        state.finished = true;
        resolve(value);
      }, ms);
      signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          state.timerCleared = true;
          reject(signal.reason);
        },
        { once: true },
      );
    });
  return { state, run };
}
