import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asCompleted, gather, map } from '../src/index.js';
import { ticks, trapUnhandledRejections } from './helpers.js';

trapUnhandledRejections();

interface Spec {
  delay: number;
  fails: boolean;
  sync: boolean;
}

const specs = fc.array(
  fc.record({ delay: fc.integer({ min: 0, max: 4 }), fails: fc.boolean(), sync: fc.boolean() }),
  { maxLength: 12 },
);
const concurrency = fc.oneof(fc.integer({ min: 1, max: 5 }), fc.constant(Number.POSITIVE_INFINITY));

/** Builds operations from specs, recording in-flight counts and what happened to each started one. */
function instrument(list: Spec[]) {
  const log = { started: new Set<number>(), settled: new Set<number>(), inFlight: 0, maxInFlight: 0 };
  const signals = new Map<number, AbortSignal>();
  const errors = list.map((_, i) => new Error(`op ${i}`));
  const ops = list.map(({ delay, fails, sync }, i) => (signal: AbortSignal) => {
    log.started.add(i);
    signals.set(i, signal);
    if (sync) {
      log.settled.add(i);
      if (fails) throw errors[i];
      return i;
    }
    log.maxInFlight = Math.max(log.maxInFlight, ++log.inFlight);
    return new Promise<number>((resolve, reject) => {
      setTimeout(() => {
        log.inFlight--;
        log.settled.add(i);
        if (fails) reject(errors[i]);
        else resolve(i);
      }, delay);
    });
  });
  /** Every started op either settled or saw its signal aborted. */
  const accounted = () => [...log.started].every((i) => log.settled.has(i) || signals.get(i)!.aborted);
  return { ops, log, errors, accounted };
}

describe('properties', () => {
  it('gather: results in input order, in-flight never above the limit, every started op settles or is aborted', async () => {
    await fc.assert(
      fc.asyncProperty(specs, concurrency, fc.boolean(), async (list, limit, returnExceptions) => {
        const { ops, log, errors, accounted } = instrument(list);
        const outcome = await gather(ops, { concurrency: limit, returnExceptions }).then(
          (results) => ({ ok: true as const, results }),
          (error: unknown) => ({ ok: false as const, error }),
        );
        expect(log.maxInFlight).toBeLessThanOrEqual(limit);
        if (returnExceptions || !list.some((s) => s.fails)) {
          expect(outcome.ok).toBe(true);
          if (outcome.ok) expect(outcome.results).toEqual(list.map((s, i) => (s.fails ? errors[i] : i)));
          expect(log.settled.size).toBe(list.length);
        } else {
          expect(outcome.ok).toBe(false);
          if (!outcome.ok) expect(errors).toContain(outcome.error);
          expect(accounted()).toBe(true);
        }
        await ticks(6); // let stragglers settle inside this run
      }),
      { numRuns: 60 },
    );
  });

  it('asCompleted: yields every op exactly once and stays within the limit', async () => {
    await fc.assert(
      fc.asyncProperty(specs, concurrency, async (list, limit) => {
        const { ops, log } = instrument(list);
        const indexes: number[] = [];
        for await (const record of asCompleted(ops, { concurrency: limit, returnExceptions: true }))
          indexes.push(record.index);
        expect(indexes.sort((a, b) => a - b)).toEqual(list.map((_, i) => i));
        expect(log.maxInFlight).toBeLessThanOrEqual(limit);
      }),
      { numRuns: 40 },
    );
  });

  it('map: results in input order, in-flight never above the limit, never reads more than the limit ahead', async () => {
    await fc.assert(
      fc.asyncProperty(
        specs,
        fc.integer({ min: 1, max: 5 }),
        fc.boolean(),
        async (list, limit, returnExceptions) => {
          let pulled = 0;
          let done = 0;
          let maxAhead = 0;
          function* items() {
            for (const spec of list) {
              pulled++;
              yield spec;
            }
          }
          const { ops, log, errors, accounted } = instrument(list);
          const outcome = await map(
            items(),
            async (_spec, { index, signal }) => {
              maxAhead = Math.max(maxAhead, pulled - done);
              try {
                return await ops[index]!(signal);
              } finally {
                done++;
              }
            },
            { concurrency: limit, returnExceptions },
          ).then(
            (results) => ({ ok: true as const, results }),
            (error: unknown) => ({ ok: false as const, error }),
          );
          expect(log.maxInFlight).toBeLessThanOrEqual(limit);
          expect(maxAhead).toBeLessThanOrEqual(limit);
          if (returnExceptions || !list.some((s) => s.fails)) {
            expect(outcome.ok && outcome.results).toEqual(list.map((s, i) => (s.fails ? errors[i] : i)));
          } else {
            expect(!outcome.ok && errors.includes(outcome.error as Error)).toBe(true);
            expect(accounted()).toBe(true);
          }
          await ticks(6);
        },
      ),
      { numRuns: 60 },
    );
  });
});
