import os from 'node:os';
import { ThreadPool } from '@x/to-thread';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loopSpinTurns } from '../../../scripts/test-support/loop-spin.js';
import { poolPerTest } from './helpers.js';

const createPool = poolPerTest();
afterEach(() => {
  vi.restoreAllMocks();
});

// Issue 19: the pool's thread keeps its loop turning briefly after a send, so the answer needs no wake-up.
describe('ThreadPool spin', () => {
  it('turns the loop after a send by default, and never with spin: 0', async () => {
    vi.spyOn(os, 'loadavg').mockReturnValue([0, 0, 0]); // a loaded machine running the tests would turn it off
    const on = loopSpinTurns();
    const pool = createPool({ maxThreads: 1 });
    for (let i = 0; i < 5; i++) expect(await pool.submit((x: number) => x + 1, [i])).toBe(i + 1);
    expect(on()).toBeGreaterThan(0);
    vi.restoreAllMocks();
    const off = loopSpinTurns();
    const quiet = createPool({ maxThreads: 1, spin: 0 });
    for (let i = 0; i < 5; i++) expect(await quiet.submit((x: number) => x + 1, [i])).toBe(i + 1);
    expect(off()).toBe(0);
  });

  it('never spins while the load average says every CPU is taken, and spins again once it falls', async () => {
    const cpus = os.cpus().length;
    const load = vi.spyOn(os, 'loadavg').mockReturnValue([cpus + 1, cpus + 1, cpus + 1]);
    const busy = loopSpinTurns();
    const pool = createPool({ maxThreads: 1 });
    for (let i = 0; i < 50; i++) expect(await pool.submit((x: number) => x + 1, [i])).toBe(i + 1);
    expect(load).toHaveBeenCalled();
    expect(busy()).toBe(0);
    load.mockReturnValue([cpus, cpus, cpus]);
    await new Promise((resolve) => setTimeout(resolve, 600)); // the load is read at most every 500 ms
    for (let i = 0; i < 5; i++) expect(await pool.submit((x: number) => x + 1, [i])).toBe(i + 1);
    expect(busy()).toBeGreaterThan(0);
  });

  it('an idle thread polls for its next task only where the process may use more than one CPU', async () => {
    // Runs in the thread before it serves: the CPUs it may use, and a count of its reads of the shared state
    // (the idle poll reads it in a loop; a thread that goes straight to sleep reads it a few times per task).
    const countReads = async (cpus: number) => {
      const os = (await import('node:os')).default;
      os.availableParallelism = () => cpus;
      const g = globalThis as { reads?: number };
      g.reads = 0;
      const load = Atomics.load;
      Atomics.load = ((array: Int32Array, index: number) => {
        g.reads!++;
        return load(array, index);
      }) as typeof Atomics.load;
    };
    const readsPerIdleTask = async (cpus: number) => {
      const pool = createPool({ maxThreads: 1, minThreads: 1, initializer: countReads, initArgs: [cpus] });
      await pool.submit(() => 0, []);
      const before = await pool.submit(() => (globalThis as { reads?: number }).reads!, []);
      for (let i = 0; i < 20; i++) {
        await pool.submit(() => 0, []);
        await new Promise((resolve) => setTimeout(resolve, 3)); // idle: the thread polls, then sleeps
      }
      const after = await pool.submit(() => (globalThis as { reads?: number }).reads!, []);
      return (after - before) / 21;
    };
    const polling = await readsPerIdleTask(2);
    const pinned = await readsPerIdleTask(1);
    // 0.2 ms of polling reads thousands of times on a thread that has a CPU; without it, a few reads per task.
    expect(polling).toBeGreaterThan(50);
    expect(pinned).toBeLessThan(20);
  });

  it('refuses a spin that is not an integer from 0 to 10,000', () => {
    expect(() => new ThreadPool({ spin: -1 })).toThrow(RangeError);
    expect(() => new ThreadPool({ spin: 10_001 })).toThrow(/"options\.spin" is out of range/);
    expect(() => new ThreadPool({ spin: '200' as unknown as number })).toThrow(TypeError);
  });
});
