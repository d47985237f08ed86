import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessPool } from '@x/process-pool';
import { afterEach, describe, expect, it } from 'vitest';

const pools: ProcessPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.shutdown({ cancelPending: true })));
});

/** Blocks this thread (no event loop turn, no microtask) until `done()` or `ms` have passed. */
function blockUntil(done: () => boolean, ms: number): boolean {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() >= end) return false;
    Atomics.wait(cell, 0, 0, 5);
  }
  return true;
}

describe('ProcessPool#submit to an idle child (issue 19)', () => {
  it('writes the task to the child before submit returns: it runs while the caller blocks', async () => {
    const pool = new ProcessPool({ maxWorkers: 1 });
    pools.push(pool);
    await pool.submit(() => 0, []); // the child is up and idle
    const dir = mkdtempSync(join(tmpdir(), 'x-dispatch-now-'));
    const file = join(dir, 'ran');
    try {
      const result = pool.submit(
        async (path: string) => {
          const { writeFileSync } = await import('node:fs');
          writeFileSync(path, 'ran');
          return 'ran';
        },
        [file],
      );
      // Before, the task waited for a microtask flush that cannot run while this thread blocks.
      expect(blockUntil(() => existsSync(file), 15_000)).toBe(true);
      expect(await result).toBe('ran');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
