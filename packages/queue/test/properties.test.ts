/** Property tests: random interleavings of put / get / abort / timeout never lose or duplicate an item. */
import { Queue } from '@x/queue';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

type Command =
  | { op: 'put' | 'get'; with: 'none' | 'signal' | 'timeout'; ms: number }
  | { op: 'putNowait' | 'getNowait' }
  | { op: 'abort'; k: number }
  | { op: 'tick'; ms: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({
    op: fc.constantFrom('put' as const, 'get' as const),
    with: fc.constantFrom('none' as const, 'signal' as const, 'timeout' as const),
    ms: fc.integer({ min: 0, max: 30 }),
  }),
  fc.record({ op: fc.constantFrom('putNowait' as const, 'getNowait' as const) }),
  fc.record({ op: fc.constant('abort' as const), k: fc.nat(60) }),
  fc.record({ op: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 20 }) }),
);

describe('properties', () => {
  it('Queue: every item inserted is got exactly once or still queued, in FIFO order; rejected puts never insert', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        fc.array(command, { maxLength: 80 }),
        async (maxsize, commands) => {
          const q = new Queue<number>({ maxsize });
          const controllers: AbortController[] = [];
          const inserted: number[] = []; // in the order each put completed (= queue order for FIFO)
          const rejectedPuts = new Set<number>();
          const got: number[] = [];
          let next = 0;
          const options = (c: { with: string; ms: number }) => {
            const controller = new AbortController();
            controllers.push(controller);
            return c.with === 'signal'
              ? { signal: controller.signal }
              : c.with === 'timeout'
                ? { timeout: c.ms }
                : undefined;
          };
          for (const c of commands) {
            if (c.op === 'put') {
              const item = next++;
              q.put(item, options(c)).then(
                () => inserted.push(item),
                () => rejectedPuts.add(item),
              );
            } else if (c.op === 'get') {
              q.get(options(c)).then(
                (item) => got.push(item),
                () => undefined,
              );
            } else if (c.op === 'putNowait') {
              const item = next++;
              try {
                q.putNowait(item);
                inserted.push(item);
              } catch {
                rejectedPuts.add(item);
              }
            } else if (c.op === 'getNowait') {
              try {
                got.push(q.getNowait());
              } catch {}
            } else if (c.op === 'abort') {
              controllers[c.k % Math.max(1, controllers.length)]?.abort();
            } else if (c.op === 'tick') await vi.advanceTimersByTimeAsync(c.ms);
            await vi.advanceTimersByTimeAsync(0);
            expect(q.size).toBeLessThanOrEqual(maxsize);
          }
          await vi.advanceTimersByTimeAsync(0);
          const rest: number[] = [];
          // Drain; waiting puts are admitted as room is made (their promises settle a turn later).
          while (!q.empty) {
            rest.push(q.getNowait());
            await vi.advanceTimersByTimeAsync(0);
          }
          q.shutdown(); // rejects what still waits
          await vi.runAllTimersAsync();
          // Nothing lost, nothing duplicated, FIFO: what was got, then what was left, is the insertion order.
          expect([...got, ...rest]).toEqual(inserted);
          for (const item of rejectedPuts) expect(inserted.includes(item)).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });
});
