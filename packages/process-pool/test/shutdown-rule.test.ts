// shutdown({ cancelPending }) under the rule both pools follow: a task has started once its worker has called its
// function; a started task always finishes, one not started by the time of the call never starts. The same
// scenarios run on ThreadPool in packages/to-thread/test/shutdown-rule.test.ts.
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AbortError, PoolClosedError, ProcessPool } from '@x/process-pool';
import { afterEach, describe, expect, it } from 'vitest';

const pools: ProcessPool[] = [];
const make = (options?: ConstructorParameters<typeof ProcessPool>[0]) => {
  const pool = new ProcessPool(options);
  pools.push(pool);
  return pool;
};
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.shutdown({ cancelPending: true })));
});

/** Polls until `condition()` holds (a side effect of a task in a child), failing after `ms`. */
async function until(condition: () => boolean, ms = 10_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('timed out waiting for a task to start');
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Creates `file` (proof that the function was called), then holds the child for `ms`. */
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

describe('ProcessPool.shutdown({ cancelPending: true })', () => {
  it('never starts a task sent ahead to a busy child (issue 24: b, c, d behind a)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'x-cancel-'));
    const pool = make({ maxWorkers: 1 });
    await pool.submit(() => 0, []);
    const a = pool.submit(markThenBlock, [join(dir, 'a'), 400]);
    await until(() => existsSync(join(dir, 'a')));
    // A function the pool has not run before: these travel to the busy child now (up to 8 per child).
    const ahead = ['b', 'c', 'd'].map((n) => pool.submit(mark, [join(dir, n)]).catch((e: unknown) => e));
    await new Promise((r) => setTimeout(r, 30));
    expect(pool.queued).toBe(0); // handed to the child, not waiting in the pool
    await pool.shutdown({ cancelPending: true });
    expect(await a).toBe('a');
    for (const outcome of await Promise.all(ahead)) {
      expect(outcome).toBeInstanceOf(AbortError);
      expect((outcome as AbortError).cause).toBeInstanceOf(PoolClosedError);
    }
    expect(readdirSync(dir)).toEqual(['a']); // b, c and d never ran
  });

  it('does the same when several tasks share one IPC message (tasksPerMessage: no progress file)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'x-cancel-'));
    const pool = make({ maxWorkers: 1, tasksPerMessage: 4 });
    await pool.submit(() => 0, []);
    const a = pool.submit(markThenBlock, [join(dir, 'a'), 400]);
    await until(() => existsSync(join(dir, 'a')));
    const ahead = ['b', 'c', 'd'].map((n) => pool.submit(mark, [join(dir, n)]).catch((e: unknown) => e));
    await new Promise((r) => setTimeout(r, 30));
    await pool.shutdown({ cancelPending: true });
    expect(await a).toBe('a');
    for (const outcome of await Promise.all(ahead)) expect(outcome).toBeInstanceOf(AbortError);
    expect(readdirSync(dir)).toEqual(['a']);
  });

  it('lets a started task finish, even an async one still awaiting (issue 13: warm child, 100 ms task)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'x-cancel-'));
    const pool = make({ maxWorkers: 1 });
    await pool.submit(() => 0, []);
    const task = pool.submit(markThenWait, [join(dir, 'started'), 100]);
    await until(() => existsSync(join(dir, 'started')));
    await pool.shutdown({ cancelPending: true });
    expect(await task).toBe('done');
  });

  it('cancels a task if and only if its function had not been called, whatever the timing', async () => {
    // The exact scenario: submit to a warm child, yield once, shut down. Whether the child had begun the
    // task in that instant is a race; the rule decides the outcome either way.
    for (let round = 0; round < 5; round++) {
      const dir = mkdtempSync(join(tmpdir(), 'x-cancel-'));
      const pool = make({ maxWorkers: 1 });
      await pool.submit(() => 0, []);
      const task = pool.submit(markThenWait, [join(dir, 'started'), 100]).catch((e: unknown) => e);
      await new Promise((r) => setImmediate(r));
      await pool.shutdown({ cancelPending: true });
      const outcome = await task;
      if (existsSync(join(dir, 'started'))) expect(outcome).toBe('done');
      else expect(outcome).toBeInstanceOf(AbortError);
    }
  });
});
