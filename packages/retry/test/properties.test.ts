import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { trapUnhandledRejections } from '../../../scripts/test-support/waiters.js';
import { retry } from '../src/index.js';

trapUnhandledRejections();

describe('accounting (property)', () => {
  it('attempts, onRetry calls, the outcome and `errors` agree for any sequence of outcomes and any budget', async () => {
    await fc.assert(
      fc.asyncProperty(
        // Each attempt either fails (retryable or not) or succeeds.
        fc.array(fc.constantFrom('fail', 'fatal', 'ok'), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 6 }),
        async (plan, retries) => {
          const thrown: Error[] = [];
          const onRetry: number[] = [];
          let calls = 0;
          const outcome = await retry(
            (_signal, attempt) => {
              calls++;
              expect(attempt).toBe(calls);
              const step = plan[attempt - 1] ?? 'fail';
              if (step === 'ok') return `ok ${attempt}`;
              const error = Object.assign(new Error(`${step} ${attempt}`), { fatal: step === 'fatal' });
              thrown.push(error);
              throw error;
            },
            {
              retries,
              minDelay: 0,
              retryIf: (error) => !(error as { fatal: boolean }).fatal,
              onRetry: (_e, attempt) => void onRetry.push(attempt),
            },
          ).then(
            (value) => ({ value }),
            (error: unknown) => ({ error }),
          );

          // The model: attempts run until one succeeds, one is fatal, or retries + 1 attempts were made.
          let expected = 0;
          let result: 'ok' | 'fatal' | 'spent' = 'spent';
          for (let i = 0; i < retries + 1; i++) {
            expected++;
            const step = plan[i] ?? 'fail';
            if (step === 'ok' || step === 'fatal') {
              result = step;
              break;
            }
          }
          expect(calls).toBe(expected);
          // onRetry runs once per retry that happened: before attempts 2..n.
          expect(onRetry).toEqual(Array.from({ length: expected - 1 }, (_, i) => i + 1));
          if (result === 'ok') {
            expect(outcome).toEqual({ value: `ok ${expected}` });
          } else {
            const error = (outcome as { error: Error & { errors: unknown[] } }).error;
            expect(error).toBe(thrown.at(-1));
            expect(error.errors).toEqual(thrown);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
