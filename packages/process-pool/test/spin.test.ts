import os from 'node:os';
import { ProcessPool } from '@x/process-pool';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loopSpinTurns } from '../../../scripts/test-support/loop-spin.js';

const pools: ProcessPool[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(pools.splice(0).map((pool) => pool.shutdown()));
});

// Issue 19: the pool's thread keeps its loop turning briefly after a send, and a child after answering.
describe('ProcessPool spin', () => {
  it('tells each child its spin (500 µs by default), and turns its own loop after a send', async () => {
    vi.spyOn(os, 'loadavg').mockReturnValue([0, 0, 0]); // a loaded machine running the tests would turn it off
    const count = loopSpinTurns();
    const pool = new ProcessPool({ maxWorkers: 1 });
    pools.push(pool);
    const argv = await pool.submit(() => process.argv.slice(2), []);
    expect(argv).toContain('--spin=500');
    for (let i = 0; i < 5; i++) await pool.submit((x: number) => x + 1, [i]);
    expect(count()).toBeGreaterThan(0);
  });

  it('spin: 0 never spins, on either side', async () => {
    const count = loopSpinTurns();
    const pool = new ProcessPool({ maxWorkers: 1, spin: 0 });
    pools.push(pool);
    const argv = await pool.submit(() => process.argv.slice(2), []);
    expect(argv.some((arg) => arg.startsWith('--spin'))).toBe(false);
    for (let i = 0; i < 5; i++) expect(await pool.submit((x: number) => x + 1, [i])).toBe(i + 1);
    expect(count()).toBe(0);
  });

  it('a child that spins still answers every task, one at a time and many at once', async () => {
    const pool = new ProcessPool({ maxWorkers: 2, spin: 10_000 });
    pools.push(pool);
    for (let i = 0; i < 50; i++) expect(await pool.submit((x: number) => x * 2, [i])).toBe(i * 2);
    const all = await Promise.all(
      Array.from({ length: 500 }, (_, i) => pool.submit((x: number) => x * 2, [i])),
    );
    expect(all).toEqual(Array.from({ length: 500 }, (_, i) => i * 2));
  });

  it('refuses a spin that is not an integer from 0 to 10,000', () => {
    expect(() => new ProcessPool({ spin: -1 })).toThrow(RangeError);
    expect(() => new ProcessPool({ spin: 1.5 })).toThrow(RangeError);
    expect(() => new ProcessPool({ spin: 10_001 })).toThrow(/"options\.spin" is out of range/);
    expect(() => new ProcessPool({ spin: '200' as unknown as number })).toThrow(TypeError);
  });
});
