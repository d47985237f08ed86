/**
 * Property tests: random interleavings of acquire / abort / release / timeout never lose or duplicate a
 * permit, and permits go out first come, first served.
 */
import { BoundedSemaphore, Lock, limit, type Permit, Semaphore } from '@x/locks';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

type Command =
  | { op: 'acquire'; with: 'none' | 'signal' | 'timeout'; ms: number }
  | { op: 'abort'; k: number }
  | { op: 'release'; k: number; twice: boolean }
  | { op: 'tick'; ms: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({
    op: fc.constant('acquire' as const),
    with: fc.constantFrom('none' as const, 'signal' as const, 'timeout' as const),
    ms: fc.integer({ min: 0, max: 30 }),
  }),
  fc.record({ op: fc.constant('abort' as const), k: fc.nat(40) }),
  fc.record({ op: fc.constant('release' as const), k: fc.nat(40), twice: fc.boolean() }),
  fc.record({ op: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 20 }) }),
);

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Runs `commands` against `make()` and checks the accounting after every step. */
async function check(permits: number, commands: Command[], make: () => Semaphore | Lock) {
  const sem = make();
  const controllers: AbortController[] = [];
  const held: Permit[] = [];
  const grants: number[] = [];
  let pending = 0;
  let calls = 0;
  const settle = () => vi.advanceTimersByTimeAsync(0);
  const free = () => (sem instanceof Lock ? (sem.locked ? 0 : 1) : sem.value);
  const waiting = () => sem.waiting;

  for (const c of commands) {
    if (c.op === 'acquire') {
      const controller = new AbortController();
      controllers.push(controller);
      const index = calls++;
      const options =
        c.with === 'signal'
          ? { signal: controller.signal }
          : c.with === 'timeout'
            ? { timeout: c.ms }
            : undefined;
      pending++;
      sem.acquire(options).then(
        (permit) => {
          pending--;
          grants.push(index);
          held.push(permit);
        },
        () => {
          pending--;
        },
      );
    } else if (c.op === 'abort') {
      controllers[c.k % Math.max(1, controllers.length)]?.abort();
    } else if (c.op === 'release') {
      const permit = held.splice(c.k % Math.max(1, held.length), 1)[0];
      permit?.release();
      if (c.twice) permit?.release();
    } else {
      await vi.advanceTimersByTimeAsync(c.ms);
    }
    await settle();
    // No permit lost or duplicated: free + held is the total, always.
    expect(free() + held.length).toBe(permits);
    // Every promise still pending is a waiter still queued, and the reverse.
    expect(waiting()).toBe(pending);
  }
  // First come, first served.
  expect(grants).toEqual([...grants].sort((a, b) => a - b));
  for (const controller of controllers) controller.abort();
  await settle();
  // Waiters without a signal are served as permits come back.
  while (held.length > 0) {
    for (const permit of held.splice(0)) permit.release();
    await settle();
  }
  expect(free()).toBe(permits);
  expect(waiting()).toBe(0);
}

describe('properties', () => {
  it('Semaphore: random acquire/abort/release/timeout never lose or duplicate a permit', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 3 }), fc.array(command, { maxLength: 60 }), (n, commands) =>
        check(n, commands, () => new Semaphore(n)),
      ),
      { numRuns: 200 },
    );
  });

  it('BoundedSemaphore: the same, and a permit release never over-releases', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 3 }), fc.array(command, { maxLength: 60 }), (n, commands) =>
        check(n, commands, () => new BoundedSemaphore(n)),
      ),
      { numRuns: 100 },
    );
  });

  it('Lock: the same with one permit', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { maxLength: 60 }), (commands) =>
        check(1, commands, () => new Lock()),
      ),
      { numRuns: 100 },
    );
  });

  it('limit: random calls, aborts and timeouts run each started call once, never above the limit', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        fc.array(
          fc.oneof(
            fc.record({
              op: fc.constant('call' as const),
              ms: fc.integer({ min: 0, max: 20 }),
              to: fc.option(fc.integer({ min: 0, max: 30 })),
            }),
            fc.record({ op: fc.constant('abort' as const), k: fc.nat(40) }),
            fc.record({ op: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 20 }) }),
          ),
          { maxLength: 60 },
        ),
        async (n, commands) => {
          const lim = limit(n);
          const controllers: AbortController[] = [];
          const starts = new Map<number, number>();
          let running = 0;
          let peak = 0;
          const results: Array<Promise<unknown>> = [];
          for (const c of commands) {
            if (c.op === 'call') {
              const id = controllers.length;
              const controller = new AbortController();
              controllers.push(controller);
              const promise = lim(
                async () => {
                  starts.set(id, (starts.get(id) ?? 0) + 1);
                  peak = Math.max(peak, ++running);
                  await new Promise((resolve) => setTimeout(resolve, c.ms));
                  running--;
                  return id;
                },
                { signal: controller.signal, timeout: c.to ?? undefined },
              );
              results.push(promise);
              promise.catch(() => undefined);
            } else if (c.op === 'abort') {
              controllers[c.k % Math.max(1, controllers.length)]?.abort();
            } else await vi.advanceTimersByTimeAsync(c.ms);
            expect(lim.activeCount).toBeLessThanOrEqual(n);
          }
          await vi.runAllTimersAsync();
          const settled = await Promise.allSettled(results);
          expect(peak).toBeLessThanOrEqual(n);
          expect([...starts.values()].every((count) => count === 1)).toBe(true);
          settled.forEach((s, id) => {
            if (s.status === 'fulfilled') expect(s.value).toBe(id);
            else expect(starts.has(id)).toBe(false); // a rejected call never started (its fn never rejects)
          });
          expect([lim.activeCount, lim.pendingCount]).toEqual([0, 0]);
        },
      ),
      { numRuns: 100 },
    );
  });
});
