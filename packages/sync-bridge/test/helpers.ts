import { afterAll, beforeAll } from 'vitest';

/** Blocks the calling thread for `ms` milliseconds (a slow synchronous consumer). */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Fails the test file if any promise rejected unhandled while it ran. */
export function trapUnhandledRejections(): void {
  const seen: unknown[] = [];
  const onRejection = (reason: unknown) => seen.push(reason);
  beforeAll(() => {
    process.on('unhandledRejection', onRejection);
  });
  afterAll(() => {
    process.off('unhandledRejection', onRejection);
    if (seen.length > 0) throw new Error(`unhandled rejections: ${seen.map(String).join('; ')}`);
  });
}

/** Catches what `fn` throws (synchronously), failing if it does not throw. */
export function thrown(fn: () => unknown): any {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}
