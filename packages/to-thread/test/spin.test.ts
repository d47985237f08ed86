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

  it('refuses a spin that is not an integer from 0 to 10,000', () => {
    expect(() => new ThreadPool({ spin: -1 })).toThrow(RangeError);
    expect(() => new ThreadPool({ spin: 10_001 })).toThrow(/"options\.spin" is out of range/);
    expect(() => new ThreadPool({ spin: '200' as unknown as number })).toThrow(TypeError);
  });
});
