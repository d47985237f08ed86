// shutdown({ cancelPending }) under the rule both pools follow: a task has started once its worker has called its
// function; a started task always finishes, one not started by the time of the call never starts. The same
// scenarios run on ProcessPool in packages/process-pool/test/shutdown-rule.test.ts.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AbortError, PoolClosedError } from '@x/to-thread';
import { describe, expect, it } from 'vitest';
import { poolPerTest, trapUnhandledRejections } from './helpers.js';

trapUnhandledRejections();
const make = poolPerTest();

/** Polls until `condition()` holds (a side effect of a task in another thread), failing after `ms`. */
async function until(condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('timed out waiting for a task to start');
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Creates `file` (proof that the function was called), then holds the thread for `ms`. */
const markThenBlock = (file: string, ms: number) => {
  require('node:fs').writeFileSync(file, '');
  const end = Date.now() + ms;
  while (Date.now() < end);
  return 'a';
};
/** Creates `file`: proof that the function was called. */
const mark = (file: string) => {
  require('node:fs').writeFileSync(file, '');
  return file;
};
const markThenWait = async (file: string, ms: number) => {
  require('node:fs').writeFileSync(file, '');
  await new Promise((r) => setTimeout(r, ms));
  return 'done';
};

describe('ThreadPool.shutdown({ cancelPending: true })', () => {
  it('never starts a task sent ahead to a busy thread (issue 24: b, c, d behind a)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'x-cancel-'));
    const pool = make({ maxThreads: 1 });
    await pool.submit(() => 0, []);
    const a = pool.submit(markThenBlock, [join(dir, 'a'), 400]);
    await until(() => existsSync(join(dir, 'a')));
    // A function the pool has not run before: not known to be slow, so these travel to the busy thread now.
    const ahead = ['b', 'c', 'd'].map((n) => pool.submit(mark, [join(dir, n)]).catch((e: unknown) => e));
    await new Promise((r) => setTimeout(r, 30));
    expect(pool.queued).toBe(0); // handed to the thread, not waiting in the pool
    await pool.shutdown({ cancelPending: true });
    expect(await a).toBe('a');
    for (const outcome of await Promise.all(ahead)) {
      expect(outcome).toBeInstanceOf(AbortError);
      expect((outcome as AbortError).cause).toBeInstanceOf(PoolClosedError);
    }
    expect(readdirSync(dir)).toEqual(['a']); // b, c and d never ran
  });

  it('lets a started task finish, even an async one still awaiting (issue 13: warm thread, 100 ms task)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'x-cancel-'));
    const pool = make({ maxThreads: 1 });
    await pool.submit(() => 0, []);
    const task = pool.submit(markThenWait, [join(dir, 'started'), 100]);
    await until(() => existsSync(join(dir, 'started')));
    await pool.shutdown({ cancelPending: true });
    expect(await task).toBe('done');
  });

  it('cancels a task if and only if its function had not been called, whatever the timing', async () => {
    // The exact scenario: submit to a warm thread, yield once, shut down. Whether the thread had begun
    // the task in that instant is a race; the rule decides the outcome either way.
    for (let round = 0; round < 5; round++) {
      const dir = mkdtempSync(join(tmpdir(), 'x-cancel-'));
      const pool = make({ maxThreads: 1 });
      await pool.submit(() => 0, []);
      const task = pool.submit(markThenWait, [join(dir, 'started'), 100]).catch((e: unknown) => e);
      await new Promise((r) => setImmediate(r));
      await pool.shutdown({ cancelPending: true });
      const outcome = await task;
      if (existsSync(join(dir, 'started'))) expect(outcome).toBe('done');
      else expect(outcome).toBeInstanceOf(AbortError);
    }
  });

  it('resumes after a running async task was timed out (issue 13: the script printed nothing and exited 13)', async () => {
    const script = `
      import { ThreadPool } from '@x/to-thread';
      const p = new ThreadPool({ maxThreads: 1 });
      await p.submit(() => new Promise((r) => setTimeout(r, 1e6)), [], { timeout: 100 }).catch(() => {});
      await p.shutdown();
      console.log('after');`;
    for (let round = 0; round < 3; round++) {
      const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
        const child = execFile(
          process.execPath,
          ['--input-type=module', '-e', script],
          { cwd: fileURLToPath(new URL('.', import.meta.url)), timeout: 15_000 },
          (_error, out) => resolve({ code: child.exitCode, stdout: out }),
        );
      });
      expect([code, stdout]).toEqual([0, 'after\n']);
    }
  });
});
