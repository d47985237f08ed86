import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Deadline, queueStats, schedule, unschedule } from '../src/deadline-queue.js';
import { TimeoutError, withTimeout } from '../src/index.js';
import { trapUnhandledRejections } from './helpers.js';

trapUnhandledRejections();

/**
 * Issue 19: a Node timer lands about a millisecond late at best (whole milliseconds from the loop's cached
 * clock), so the last stretch of a wait, under a millisecond, is polled on the loop's check phase instead of
 * re-arming a timer. These tests drive the queue's clock by hand (`performance.now` is what it reads), so they
 * do not depend on how busy the machine is.
 */
describe('the last millisecond of a deadline', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.useRealTimers();
  });

  /** Makes `performance.now()` return `base + offset`, plus `step` ms more on every read after `moving()`. */
  function handClock() {
    const real = performance.now.bind(performance);
    const base = real();
    let offset = 0;
    let step = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => {
      offset += step;
      return base + offset;
    });
    return {
      base,
      set: (ms: number) => {
        offset = ms;
      },
      moving: (ms: number) => {
        step = ms;
      },
      get now() {
        return base + offset;
      },
    };
  }

  /** Waits for `done()` on real timers (vi.waitUntil reads the clock these tests stop). */
  async function until(done: () => boolean) {
    for (let i = 0; i < 2000 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 1));
    expect(done(), JSON.stringify(queueStats())).toBe(true);
  }

  const calls = (spy: { mock: { calls: unknown[][] } }, name: string) =>
    spy.mock.calls.filter(([fn]) => (fn as { name?: string } | undefined)?.name === name).length;

  it('is polled on the check phase, not waited for with a second timer, and still never fires early', async () => {
    const clock = handClock();
    const timers = vi.spyOn(globalThis, 'setTimeout');
    const immediates = vi.spyOn(globalThis, 'setImmediate');
    let firedAt = Number.NaN;
    const d: Deadline = {
      _bucket: null,
      _slot: 0,
      _ref: true,
      _expire: () => {
        firedAt = clock.now;
      },
    };
    const at = clock.base + 5.5;
    schedule(d, at, true);
    // The timer is aimed at the last whole millisecond before the due time (5 ms). By the time it fires, the
    // clock says 5 ms have passed: under a millisecond is left, and from then on every read moves it 0.02 ms.
    clock.set(5);
    clock.moving(0.02);
    await until(() => !Number.isNaN(firedAt));
    expect(firedAt).toBeGreaterThanOrEqual(at);
    // Fired by a poll soon after the due time (every read of the clock, the test's own included, moves it).
    expect(firedAt - at).toBeLessThan(0.5);
    expect(calls(timers, 'onTimer')).toBe(1);
    expect(calls(immediates, 'onPoll')).toBeGreaterThan(1);
    expect(queueStats()).toMatchObject({ pending: 0, refs: 0 });
  });

  it('stops polling when the deadline is withdrawn', async () => {
    const clock = handClock();
    const immediates = vi.spyOn(globalThis, 'setImmediate');
    const d: Deadline = {
      _bucket: null,
      _slot: 0,
      _ref: true,
      _expire: () => {
        throw new Error('a withdrawn deadline fired');
      },
    };
    schedule(d, clock.base + 3.5, true);
    clock.set(3); // the timer finds under a millisecond left and starts polling; the clock then stands still
    await until(() => calls(immediates, 'onPoll') > 0);
    unschedule(d);
    clock.moving(0.01);
    const before = calls(immediates, 'onPoll');
    await new Promise((resolve) => setTimeout(resolve, 20));
    // At most the poll already scheduled ran: with nothing due, no further one was scheduled.
    expect(calls(immediates, 'onPoll') - before).toBeLessThanOrEqual(1);
    expect(queueStats()).toMatchObject({ pending: 0, refs: 0 });
  });

  it('falls back to timers when the clock does not move between two polls (a coarse clock), instead of spinning', async () => {
    const clock = handClock();
    const immediates = vi.spyOn(globalThis, 'setImmediate');
    let fired = false;
    const d: Deadline = {
      _bucket: null,
      _slot: 0,
      _ref: true,
      _expire: () => {
        fired = true;
      },
    };
    schedule(d, clock.base + 3.5, true);
    clock.set(3); // under a millisecond left (the due time is rounded up to a quarter), and the clock stands still
    await new Promise((resolve) => setTimeout(resolve, 40));
    // One poll per timer (each at least 1 ms apart); a poll that waited for the clock would run thousands of times.
    const polls = calls(immediates, 'onPoll');
    expect(polls).toBeGreaterThan(0);
    expect(polls).toBeLessThan(80);
    expect(fired).toBe(false);
    clock.set(4); // the clock moves past the due time (rounded up to its quarter-millisecond bucket): a timer fires it
    await until(() => fired);
    expect(queueStats()).toMatchObject({ pending: 0, refs: 0 });
  });

  it('works under fake timers: running every timer there is comes to an end, with the deadline fired', async () => {
    vi.useFakeTimers();
    const settled = withTimeout(5.5, new Promise(() => {})).catch((error: unknown) => error);
    await vi.runAllTimersAsync();
    expect(await settled).toBeInstanceOf(TimeoutError);
    expect(vi.getTimerCount()).toBe(0);
    expect(queueStats()).toMatchObject({ pending: 0, timerArmed: false });
  });

  /** Makes the first poll run `lateMs` after it was asked for; with `busy`, the thread is busy meanwhile. */
  function latePoll(clock: ReturnType<typeof handClock>, lateMs: number, busy: boolean) {
    const realImmediate = globalThis.setImmediate;
    let delayNext = true;
    return vi.spyOn(globalThis, 'setImmediate').mockImplementation(((fn: () => void) =>
      realImmediate(() => {
        if (delayNext) {
          delayNext = false;
          if (busy) {
            // Real CPU time, as a garbage collection or a long callback would take.
            const { cpuUsage } = process;
            const start = cpuUsage();
            for (let spent = 0; spent < lateMs * 1000 * 1.5; ) {
              const u = cpuUsage(start);
              spent = u.user + u.system;
            }
          }
          clock.set(clock.now - clock.base + lateMs);
        }
        fn();
      })) as typeof setImmediate);
  }

  const marker = (fired: number[], n: number): Deadline => ({
    _bucket: null,
    _slot: 0,
    _ref: true,
    _expire: () => {
      fired.push(n);
    },
  });

  it('keeps polling after a late poll during which the thread was busy (a garbage collection, a long callback)', async () => {
    const clock = handClock();
    const immediates = latePoll(clock, 2, true);
    const fired: number[] = [];
    schedule(marker(fired, 1), clock.base + 3.5, true);
    clock.set(3);
    await until(() => fired.length === 1);
    expect(calls(immediates, 'onPoll')).toBe(1);
    const from = clock.now - clock.base;
    schedule(marker(fired, 2), clock.base + from + 3.5, true);
    clock.set(from + 3);
    // The next deadline's last millisecond is polled again at once (backing off would take 64 timers first).
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(calls(immediates, 'onPoll')).toBeGreaterThan(1);
    clock.set(from + 4);
    await until(() => fired.length === 2);
  });

  // Last in the file: it leaves the queue in its back-off.
  it('backs off to timers alone after a poll that ran late while the thread did not run (preempted on a busy machine)', async () => {
    const clock = handClock();
    const timers = vi.spyOn(globalThis, 'setTimeout');
    // The first poll runs 2 ms after it was asked for, and the thread used no CPU meanwhile.
    const immediates = latePoll(clock, 2, false);
    const fired: number[] = [];
    const deadline = (n: number) => marker(fired, n);
    schedule(deadline(1), clock.base + 3.5, true);
    clock.set(3);
    await until(() => fired.length === 1);
    expect(calls(immediates, 'onPoll')).toBe(1);
    // The next deadline's last millisecond is waited for with a timer, not polled.
    const from = clock.now - clock.base;
    schedule(deadline(2), clock.base + from + 3.5, true);
    const timersBefore = calls(timers, 'onTimer');
    clock.set(from + 3);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fired).toEqual([1]);
    expect(calls(immediates, 'onPoll')).toBe(1);
    expect(calls(timers, 'onTimer')).toBeGreaterThan(timersBefore);
    clock.set(from + 4);
    await until(() => fired.length === 2);
    expect(calls(immediates, 'onPoll')).toBe(1);
  });
});
