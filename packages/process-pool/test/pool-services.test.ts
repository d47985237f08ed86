import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkerCreateEvent, WorkerExitEvent } from '@x/executor';
import { AbortError, ProcessPool } from '@x/process-pool';
import { afterEach, describe, expect, it } from 'vitest';

const pools: ProcessPool[] = [];
const make = (options?: ConstructorParameters<typeof ProcessPool>[0]) => {
  const pool = new ProcessPool({ maxWorkers: 2, ...options });
  pools.push(pool);
  return pool;
};
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.shutdown({ cancelPending: true })));
});

describe('ProcessPool: the executor pool features', () => {
  it('emits workerCreate with the pid and workerExit with the reason, and counts in stats()', async () => {
    const pool = make({ maxWorkers: 1, maxTasksPerChild: 1 });
    const created: WorkerCreateEvent[] = [];
    const exits: WorkerExitEvent[] = [];
    pool.on('workerCreate', (e) => created.push(e));
    pool.on('workerExit', (e) => exits.push(e));
    expect(await pool.submit((x: number) => x + 1, [1])).toBe(2);
    await expect(pool.submit(() => process.exit(4), [])).rejects.toMatchObject({
      name: 'WorkerCrashedError',
    });
    await pool.shutdown();
    expect(created.length).toBe(2);
    for (const e of created) expect(e.pid).toEqual(expect.any(Number));
    expect(exits.map((e) => e.reason)).toEqual(['recycled', 'crashed']);
    expect(exits[1]).toMatchObject({ code: 4, pid: created[1]!.pid });
    expect(pool.stats()).toMatchObject({ completed: 1, failed: 1, workers: 0 });
    expect(pool.stats().runTime.max).toBeGreaterThan(0);
  });

  it('runs the teardown in a child stopped gracefully (idle, shutdown), not in one killed as stuck', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'x-teardown-'));
    const file = join(dir, 'log');
    const pool = make({
      maxWorkers: 1,
      idleTimeout: 100,
      env: { ...process.env, X_TEARDOWN_LOG: file },
      teardown: async () => {
        const fs = await import('node:fs');
        fs.appendFileSync(process.env.X_TEARDOWN_LOG!, `${process.pid}\n`);
      },
    });
    const pids: number[] = [];
    pool.on('workerCreate', (e) => pids.push(e.pid!));
    await pool.submit((x: number) => x, [1]);
    await new Promise((resolve) => pool.once('workerExit', resolve)); // idle
    await pool.submit((x: number) => x, [1]); // a new child, up: the next task starts at once
    await expect(
      pool.submit(
        () => {
          for (;;);
        },
        [],
        { timeout: 300 },
      ),
    ).rejects.toMatchObject({ name: 'TimeoutError' });
    await new Promise((resolve) => pool.once('workerExit', resolve)); // stuck
    await pool.submit((x: number) => x, [2]);
    await pool.shutdown();
    const logged = readFileSync(file, 'utf8').trim().split('\n').map(Number);
    expect(pids).toHaveLength(3);
    expect(logged).toEqual([pids[0], pids[2]]);
  });

  it('shutdown({ cancelRunning, grace }) kills a child stuck in sync code after grace', async () => {
    const pool = new ProcessPool({ maxWorkers: 1 });
    await pool.submit(() => 0, []);
    const stuck = pool
      .submit(() => {
        for (;;);
      }, [])
      .catch((e) => e);
    await new Promise((r) => setTimeout(r, 100));
    const started = performance.now();
    await pool.shutdown({ cancelRunning: true, grace: 200 });
    expect(await stuck).toBeInstanceOf(AbortError);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(pool.pids).toEqual([]);
  });

  it('priority orders the queue', async () => {
    const pool = make({ maxWorkers: 1, concurrentTasksPerChild: 1 });
    await pool.submit(() => 0, []);
    const order: number[] = [];
    const block = pool.submit(async () => new Promise((r) => setTimeout(r, 200)), []);
    const tasks = [0, 3, 1, 3, 2].map((priority, i) =>
      pool.submit((x: number) => x, [i], { priority }).then((i) => order.push(i)),
    );
    await Promise.all([block, ...tasks]);
    expect(order).toEqual([1, 3, 4, 2, 0]);
  });
});

describe('ProcessPool maxMemory', () => {
  it('replaces a child whose resident memory grew past maxMemory after a leaking task', async () => {
    const pool = make({ maxWorkers: 1, maxMemory: 160 });
    const exits: WorkerExitEvent[] = [];
    pool.on('workerExit', (e) => exits.push(e));
    // Each task keeps 40 MiB of touched memory (resident) and reports how many it holds.
    const leak = () => {
      const g = globalThis as { leak?: Buffer[] };
      g.leak ??= [];
      g.leak.push(Buffer.alloc(40 * 1024 * 1024, 1));
      return g.leak.length;
    };
    const held: number[] = [];
    for (let i = 0; i < 8; i++) held.push(await pool.submit(leak, []));
    expect(Math.max(...held)).toBeLessThanOrEqual(5);
    expect(held.filter((n) => n === 1).length).toBeGreaterThanOrEqual(2);
    expect(exits.length).toBeGreaterThanOrEqual(1);
    for (const e of exits) expect(e.reason).toBe('recycled');
  });
});
