// What a child process relies on: what it bound at load, and loading the app's modules as the app's loader does.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { ProcessPool } from '@x/process-pool';
import { afterEach, describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const pools: ProcessPool[] = [];
const make = (options?: ConstructorParameters<typeof ProcessPool>[0]) => {
  const pool = new ProcessPool(options);
  pools.push(pool);
  return pool;
};
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.shutdown({ cancelPending: true })));
});

describe('the child runtime', () => {
  it('survives a task that replaces globalThis.process: results go through what it bound at load (issue 13)', async () => {
    const pool = make({ maxWorkers: 1 });
    const pid = await pool.submit(() => process.pid, []);
    const replaced = await pool.submit(() => {
      (globalThis as { process: unknown }).process = { pid: -1 };
      return 'replaced';
    }, []);
    expect(replaced).toBe('replaced');
    // Same child, still serving (it used to crash: "process.send is not a function", then WorkerCrashedError).
    expect(await pool.submit(async (x: number) => x * 2, [21])).toBe(42);
    expect(pool.pids).toEqual([pid]);
  });

  it('runs a module function named by its .js output name (NodeNext) in an app run by tsx (issue 13)', async () => {
    const app = fileURLToPath(new URL('./fixtures/tsx-app.ts', import.meta.url));
    const { code, stdout, stderr } = await new Promise<{
      code: number | null;
      stdout: string;
      stderr: string;
    }>((resolve) => {
      const child = execFile(
        process.execPath,
        [require.resolve('tsx/cli'), app],
        { timeout: 20_000 },
        (_e, out, err) => resolve({ code: child.exitCode, stdout: out, stderr: err }),
      );
    });
    expect(stderr).toBe('');
    expect([code, stdout]).toEqual([0, 'hello process']);
  }, 30_000);
});
