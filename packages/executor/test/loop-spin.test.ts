import { MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loopSpinTurns } from '../../../scripts/test-support/loop-spin.js';
import { type MainMessage, Pool, serveWorker, type TransportHandlers } from '../src/index.js';
import { LoopSpin } from '../src/loop-spin.js';
import { resolvePoolOptions } from '../src/pool-options.js';

/**
 * Issue 19: after a pool sends a task, its thread keeps the event loop turning (a chain of `setImmediate`
 * turns) for a bounded while, so the answer is read by a running loop instead of waking a sleeping thread.
 * These tests count the turns through a spy, so they do not depend on how busy the machine is.
 */
describe('LoopSpin', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  /**
   * The spin's own clocks, by hand: each read of the wall clock moves it `step` ms and the CPU clock as much
   * (the thread ran all along), so no turn ever looks preempted however busy the machine running the tests is,
   * and a budget is a number of turns. `preempt(ms)` makes the next read jump `ms` with no CPU spent.
   */
  const handClock = (step = 0.001) => {
    let wall = 0;
    let cpu = 0;
    let jump = 0;
    return {
      now: () => {
        wall += step + jump;
        cpu += step;
        jump = 0;
        return wall;
      },
      cpu: () => cpu,
      cpus: () => 2,
      preempt: (ms: number) => {
        jump = ms;
      },
    };
  };

  const nextTurns = (n: number) =>
    new Promise<void>((resolve) => {
      let left = n;
      const step = () => (--left === 0 ? resolve() : setImmediate(step));
      setImmediate(step);
    });
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('turns the loop after a send until the answer comes, and lets other callbacks run meanwhile', async () => {
    const count = loopSpinTurns();
    const spin = new LoopSpin(1000, handClock()); // 1 s: only the answer can end it in this test
    spin.sent();
    let timerRan = false;
    setTimeout(() => {
      timerRan = true;
    }, 2);
    await sleep(10);
    expect(timerRan).toBe(true);
    const during = count();
    expect(during).toBeGreaterThan(5);
    spin.answered();
    await nextTurns(3);
    const after = count();
    await sleep(10);
    expect(count()).toBe(after); // stopped
    expect(after - during).toBeLessThanOrEqual(2);
  });

  it('stops when its budget runs out without an answer', async () => {
    const count = loopSpinTurns();
    const spin = new LoopSpin(2, handClock(0.1)); // about 20 turns
    spin.sent();
    await sleep(30);
    const total = count();
    expect(total).toBeGreaterThan(0);
    await sleep(20);
    expect(count()).toBe(total);
  });

  it('halves its budget after every unanswered spin, down to none, then probes every 32nd send', async () => {
    const count = loopSpinTurns();
    const spin = new LoopSpin(1, handClock(0.1));
    // Waits until the spin has ended: no new turn over a few ms.
    const ended = async () => {
      for (let seen = -1; seen !== count(); ) {
        seen = count();
        await sleep(3);
      }
    };
    // 1, 0.5, 0.25, 0.125 ms: each runs out.
    for (let i = 0; i < 4; i++) {
      spin.sent();
      await ended();
    }
    const spun = count();
    for (let i = 0; i < 31; i++) {
      spin.sent();
      await sleep(0);
    }
    expect(count()).toBe(spun); // off
    spin.sent(); // the 32nd: a probe with the whole budget
    await nextTurns(2);
    expect(count()).toBeGreaterThan(spun);
  });

  it('stays on while answers end its spins', async () => {
    const count = loopSpinTurns();
    const spin = new LoopSpin(5, handClock());
    for (let i = 0; i < 10; i++) {
      const before = count();
      spin.sent();
      await nextTurns(2);
      expect(count()).toBeGreaterThan(before);
      spin.answered();
      await nextTurns(2);
    }
  });

  it('spins for the next task when it is sent in the turn that read the answer (a one-at-a-time caller)', async () => {
    const count = loopSpinTurns();
    const spin = new LoopSpin(1000, handClock()); // 1 s: only an answer can end a spin here
    for (let task = 0; task < 5; task++) {
      if (task === 0) spin.sent();
      await nextTurns(3);
      // The answer arrives, and its awaiter sends the next task before the chain's next turn runs.
      spin.answered();
      spin.sent();
      const before = count();
      await nextTurns(5);
      expect(count() - before).toBeGreaterThanOrEqual(4); // still turning, for the new task
    }
    spin.answered();
    await nextTurns(3);
    const after = count();
    await sleep(10);
    expect(count()).toBe(after);
  });

  it('turns itself off for the next 256 sends when a turn shows the thread was preempted', async () => {
    const count = loopSpinTurns();
    const clock = handClock();
    const spin = new LoopSpin(1000, clock);
    spin.sent();
    await nextTurns(3);
    const before = count();
    expect(before).toBeGreaterThan(0);
    clock.preempt(2); // the next turn comes 2 ms after the one before, and the thread used no CPU meanwhile
    await sleep(5);
    const spun = count();
    expect(spun - before).toBeLessThanOrEqual(2); // that turn ended the spin
    for (let i = 0; i < 255; i++) {
      spin.sent();
      await sleep(0);
    }
    expect(count()).toBe(spun);
    spin.sent(); // the 256th: a probe
    await nextTurns(2);
    expect(count()).toBeGreaterThan(spun);
    spin.answered();
  });

  it('a late turn during which the thread was busy (a garbage collection, a long callback) does not stop it', async () => {
    const count = loopSpinTurns();
    let wall = 0;
    let cpu = 0;
    const clock = { now: () => (wall += 0.001), cpu: () => cpu, cpus: () => 2 };
    const spin = new LoopSpin(1000, clock);
    spin.sent();
    await nextTurns(3);
    wall += 5;
    cpu += 5; // 5 ms late, and all of it on the CPU
    await nextTurns(5);
    const spun = count();
    await nextTurns(5);
    expect(count()).toBeGreaterThan(spun); // still turning
    spin.answered();
  });

  it('turns itself off when its spins get under 0.6 of the CPU, though no single turn is late (a busy machine)', async () => {
    const count = loopSpinTurns();
    // Every read moves the wall clock 0.1 ms and the CPU clock only 0.04 ms: the thread gets 40% of a core.
    let wall = 0;
    let cpu = 0;
    const clock = {
      now: () => {
        cpu += 0.04;
        return (wall += 0.1);
      },
      cpu: () => cpu,
      cpus: () => 2,
    };
    const spin = new LoopSpin(1000, clock);
    // Short spins, each ended by an answer, until their account covers 10 ms of wall-clock time.
    let spins = 0;
    for (; spins < 200 && count() < 1000; spins++) {
      const before = count();
      spin.sent();
      if (count() === before) break; // it did not start: off
      await nextTurns(3);
      spin.answered();
      await nextTurns(2);
    }
    expect(spins).toBeGreaterThan(1);
    expect(spins).toBeLessThan(200);
    const off = count();
    for (let i = 0; i < 100; i++) spin.sent();
    await nextTurns(3);
    expect(count()).toBe(off);
  });

  it('stays on through a few ms under half a CPU (two spinning processes put on one CPU until the kernel moves one)', async () => {
    const count = loopSpinTurns();
    // 40% of a CPU for the first 4 ms of wall-clock time, then a whole one.
    let wall = 0;
    let cpu = 0;
    const clock = {
      now: () => {
        cpu += wall < 4 ? 0.04 : 0.1;
        return (wall += 0.1);
      },
      cpu: () => cpu,
      cpus: () => 2,
    };
    const spin = new LoopSpin(1000, clock);
    for (let task = 0; wall < 25; task++) {
      const before = count();
      spin.sent();
      await nextTurns(3);
      expect(count(), `task ${task} at ${wall.toFixed(1)} ms`).toBeGreaterThan(before);
      spin.answered();
      await nextTurns(2);
    }
  });

  it('starts no spin while the load average reaches the CPUs + 1, and again once it falls under CPUs + 0.5', async () => {
    const count = loopSpinTurns();
    let wall = 0;
    let load = 3; // 2 CPUs, 3 runnable threads on average: none to spare
    let reads = 0;
    const clock = {
      now: () => (wall += 0.001),
      cpu: () => wall,
      cpus: () => 2,
      load: () => {
        reads++;
        return { average: load, cpus: 2 };
      },
    };
    const spin = new LoopSpin(1000, clock);
    const spinsFor = async (tasks: number) => {
      const before = count();
      for (let i = 0; i < tasks; i++) {
        spin.sent();
        await nextTurns(2);
        spin.answered();
        await nextTurns(2);
      }
      return count() - before;
    };
    expect(await spinsFor(40)).toBe(0); // probes included
    expect(reads).toBe(1); // read at most every 500 ms
    wall += 500;
    load = 2.6; // under CPUs + 1 but not under CPUs + 0.5: still busy
    expect(await spinsFor(5)).toBe(0);
    expect(reads).toBe(2);
    wall += 500;
    load = 2.4;
    expect(await spinsFor(5)).toBeGreaterThan(0);
    wall += 500;
    load = 2.9; // on again: off only at CPUs + 1
    expect(await spinsFor(5)).toBeGreaterThan(0);
    wall += 500;
    load = 3;
    expect(await spinsFor(5)).toBe(0);
  });

  it('never spins where the process may use only one CPU (pinned with taskset, a one-CPU container)', async () => {
    const count = loopSpinTurns();
    const spin = new LoopSpin(1000, { now: () => performance.now(), cpu: () => 0, cpus: () => 1 });
    for (let i = 0; i < 100; i++) spin.sent();
    await nextTurns(3);
    expect(count()).toBe(0);
  });

  it('a budget of 0 never spins', async () => {
    const count = loopSpinTurns();
    const spin = new LoopSpin(0);
    for (let i = 0; i < 100; i++) spin.sent();
    await sleep(5);
    expect(count()).toBe(0);
  });

  it('the spin option is an integer number of microseconds from 0 to 10,000, 200 by default', () => {
    const transport = () => {
      throw new Error('not started');
    };
    expect(resolvePoolOptions({ transport }).spin).toBe(200);
    expect(resolvePoolOptions({ transport, spin: 0 }).spin).toBe(0);
    expect(() => resolvePoolOptions({ transport, spin: -1 })).toThrow(RangeError);
    expect(() => resolvePoolOptions({ transport, spin: 10_001 })).toThrow(
      /^The value of "options\.spin" is out of range\. It must be an integer >= 0 && <= 10000\. Received 10.?001$/,
    );
    expect(() => resolvePoolOptions({ transport, spin: 2.5 })).toThrow(RangeError);
    expect(() => resolvePoolOptions({ transport, spin: '200' as unknown as number })).toThrow(
      'The "options.spin" property must be of type number',
    );
  });

  it("a pool spins for a task's answer only while nothing waits in its queue", async () => {
    // A worker in this thread over a MessageChannel (as in pool.test.ts).
    const transport = (handlers: TransportHandlers) => {
      const { port1, port2 } = new MessageChannel();
      port1.on('message', (m) => handlers.onMessage(m));
      serveWorker({ send: (m) => port2.postMessage(m), onMessage: (l) => port2.on('message', l) });
      return {
        send: (message: MainMessage) => port1.postMessage(message),
        terminate: () => {
          port1.close();
          setImmediate(() => handlers.onExit({ code: 1, signal: null }));
        },
        ref: () => {},
        unref: () => {},
      };
    };
    const sent = vi.spyOn(LoopSpin.prototype, 'sent');
    const pool = new Pool({ transport, maxWorkers: 1 });
    try {
      for (let i = 0; i < 10; i++) expect(await pool.submit((x: number) => x + 1, [i])).toBe(i + 1);
      expect(sent).toHaveBeenCalledTimes(10); // one at a time: every send may spin
      sent.mockClear();
      // 100 at once on one worker: all but the last few wait in the queue when their turn comes.
      const all = await Promise.all(
        Array.from({ length: 100 }, (_, i) => pool.submit((x: number) => x + 1, [i])),
      );
      expect(all).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      expect(sent.mock.calls.length).toBeLessThanOrEqual(2);
    } finally {
      await pool.shutdown();
    }
  });
});
