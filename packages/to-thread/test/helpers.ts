import { ThreadPool } from '@x/to-thread';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';

/** Fails the test file if any promise rejected unhandled while it ran. */
export function trapUnhandledRejections(): void {
  const unhandled: unknown[] = [];
  const trap = (reason: unknown) => unhandled.push(reason);
  beforeAll(() => process.on('unhandledRejection', trap));
  afterAll(() => {
    process.off('unhandledRejection', trap);
    expect(unhandled).toEqual([]);
  });
}

/** A `new ThreadPool(options)` that is shut down (pending work cancelled) after each test. */
export function poolPerTest(): (options?: ConstructorParameters<typeof ThreadPool>[0]) => ThreadPool {
  const pools: ThreadPool[] = [];
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.shutdown({ cancelPending: true })));
  });
  return (options) => {
    const pool = new ThreadPool(options);
    pools.push(pool);
    return pool;
  };
}

/** The id of the thread a task runs on (self-contained: it imports what it needs). */
export const threadIdOf = async () => (await import('node:worker_threads')).threadId;
