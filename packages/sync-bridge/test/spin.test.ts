import { SyncBridge } from '@x/sync-bridge';
import { describe, expect, it, vi } from 'vitest';
import { AdaptiveSpin, PROBE_EVERY, spinMsFor, spinUntilChanged } from '../src/spin.js';

const cell = () => new Int32Array(new SharedArrayBuffer(4));
const elapsed = (fn: () => void) => {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
};

// Issue 19: the spin before Atomics.wait is bounded, backs off when it does not pay, and can be turned off.
describe('the spin before Atomics.wait', () => {
  it('gives up after its budget when nothing changes, and returns at once when something does', () => {
    const control = cell();
    let changed = true;
    // 5 ms: far above the clock's resolution; the upper bound is generous (a shared, noisy machine).
    const spent = elapsed(() => (changed = spinUntilChanged(control, 0, 0, 5)));
    expect(changed).toBe(false);
    expect(spent).toBeGreaterThanOrEqual(5);
    expect(spent).toBeLessThan(500);
    Atomics.store(control, 0, 1);
    expect(spinUntilChanged(control, 0, 0, 60_000)).toBe(true);
  });

  it('halves its budget on every spin that times out, down to none, then probes every 32nd wait with the whole budget', () => {
    const control = cell();
    const spin = new AdaptiveSpin(4);
    const budgets: number[] = [];
    for (let i = 0; i < 4; i++) budgets.push(elapsed(() => spin.spin(control, 0, 0)));
    // 4, 2, 1, 0.5 ms, then none: the spins that time out stop being paid for.
    expect(budgets[0]).toBeGreaterThanOrEqual(4);
    expect(budgets[1]).toBeGreaterThanOrEqual(2);
    expect(budgets[2]).toBeGreaterThanOrEqual(1);
    expect(budgets[3]).toBeGreaterThanOrEqual(0.5);
    const outcomes: boolean[] = [];
    const idle = elapsed(() => {
      for (let i = 0; i < PROBE_EVERY - 1; i++) outcomes.push(spin.spin(control, 0, 0));
    });
    expect(outcomes.every((changed) => !changed)).toBe(true);
    // Had they spun even a tenth of the budget each, 31 waits would take 12.4 ms.
    expect(PROBE_EVERY).toBe(32);
    expect(idle).toBeLessThan(10);
    // The 32nd is a probe, with the whole budget: the other side has stopped spinning too by then, and its answer
    // comes only after its own kernel wake-up (about 35 µs on a quiet VM), which a short probe would never see, so
    // both sides would stay off for good (issue 19: 95 µs per call instead of 8 µs with two free cores).
    expect(elapsed(() => spin.spin(control, 0, 0))).toBeGreaterThanOrEqual(4);
  });

  it('a probe that catches the answer turns the spin back on for the waits after it', () => {
    const control = cell();
    const spin = new AdaptiveSpin(4);
    for (let i = 0; i < 4; i++) spin.spin(control, 0, 0); // 4, 2, 1, 0.5 ms: all time out, the budget is 0
    for (let i = 0; i < PROBE_EVERY - 1; i++) expect(spin.spin(control, 0, 0)).toBe(false);
    Atomics.store(control, 0, 1);
    expect(spin.spin(control, 0, 0)).toBe(true); // the probe
    // Back on with the whole budget: the next wait spins 4 ms again before it gives up.
    expect(elapsed(() => spin.spin(control, 0, 1))).toBeGreaterThanOrEqual(4);
  });

  it('keeps spinning while spins pay', () => {
    const control = cell();
    const spin = new AdaptiveSpin(4);
    for (let i = 0; i < 10; i++) {
      Atomics.store(control, 0, i + 1);
      expect(spin.spin(control, 0, i)).toBe(true);
    }
  });

  it('never spins where the process may use only one CPU (pinned with taskset, a one-CPU container)', () => {
    expect(spinMsFor(200, () => 2)).toBe(0.2);
    expect(spinMsFor(200, () => 1)).toBe(0);
    expect(spinMsFor(0, () => 8)).toBe(0);
    // The one rule of every spin (`spinCanPay` in @x/internal): a CPU count the runtime cannot tell counts as more
    // than one, so the adaptive spin decides.
    expect(spinMsFor(200, () => undefined)).toBe(0.2);
  });

  it('reads the CPUs this process may use by default (os.availableParallelism)', async () => {
    const os = (await import('node:os')).default;
    const spy = vi.spyOn(os, 'availableParallelism').mockReturnValue(1);
    try {
      expect(spinMsFor(200)).toBe(0);
      spy.mockReturnValue(2);
      expect(spinMsFor(200)).toBe(0.2);
    } finally {
      spy.mockRestore();
    }
  });

  it('never spins with a budget of 0', () => {
    const spin = new AdaptiveSpin(0);
    const control = cell();
    const spent = elapsed(() => {
      for (let i = 0; i < 100; i++) expect(spin.spin(control, 0, 0)).toBe(false);
    });
    expect(spent).toBeLessThan(50);
  });

  it('a bridge with spin: 0 answers calls and streams like any other', () => {
    using bridge = new SyncBridge({ spin: 0 });
    for (let i = 0; i < 20; i++) expect(bridge.run(async (x: number) => x + 1, i)).toBe(i + 1);
    expect([
      ...bridge.stream(async function* () {
        yield 1;
        yield 2;
      }),
    ]).toEqual([1, 2]);
  });

  it('a call that takes a while burns at most the spin budget per wait on the calling thread', () => {
    // The caller's CPU while it waits 200 ms for an answer: a spin of 50 µs, then Atomics.wait. A caller that
    // spun for the whole wait would show about 200 ms.
    using bridge = new SyncBridge({ spin: 50 });
    bridge.run(async () => 0);
    const { cpuUsage } = process as unknown as { cpuUsage(): { user: number; system: number } };
    const before = cpuUsage();
    bridge.run(async () => {
      await new Promise((resolve) => setTimeout(resolve, 200));
    });
    const after = cpuUsage();
    // process.cpuUsage counts every thread of the process; the worker is asleep in its timer meanwhile.
    const cpuMs = (after.user - before.user + after.system - before.system) / 1000;
    expect(cpuMs).toBeLessThan(100);
  });
});
