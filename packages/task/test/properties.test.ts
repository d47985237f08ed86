import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Task, type TaskGroupError, taskGroup } from '../src/index.js';
import { sleep, trapUnhandledRejections } from './helpers.js';

trapUnhandledRejections();

/** What one child does: finish or fail after `ms`, honouring its signal or not. */
const childPlan = fc.record({
  ms: fc.integer({ min: 0, max: 8 }),
  fails: fc.boolean(),
  honoursSignal: fc.boolean(),
  spawnsGrandchild: fc.boolean(),
});

function wait(ms: number, signal: AbortSignal | undefined) {
  return signal ? sleep(ms, undefined, { signal }) : sleep(ms);
}

describe('TaskGroup properties', () => {
  it('every spawned child has settled, and its work ended, when the group settles; only real failures are reported', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(childPlan, { minLength: 0, maxLength: 12 }), async (plans) => {
        const tasks: Task<unknown>[] = [];
        const works: Array<{ ended: boolean }> = [];
        const thrown = new Set<unknown>();
        const outcome = await taskGroup((group) => {
          plans.forEach((plan, i) => {
            const work = { ended: false };
            works.push(work);
            tasks.push(
              group.spawn(async (signal) => {
                try {
                  if (plan.spawnsGrandchild) {
                    const grandchild = { ended: false };
                    works.push(grandchild);
                    tasks.push(
                      group.spawn(async () => {
                        try {
                          await sleep(plan.ms);
                        } finally {
                          grandchild.ended = true;
                        }
                      }),
                    );
                  }
                  await wait(plan.ms, plan.honoursSignal ? signal : undefined);
                  if (plan.fails) {
                    const error = new Error(`child ${i}`);
                    thrown.add(error);
                    throw error;
                  }
                  return i;
                } finally {
                  work.ended = true;
                }
              }),
            );
          });
        }).then(
          () => ({ ok: true as const }),
          (error: unknown) => ({ ok: false as const, error }),
        );
        expect(tasks.every((t) => t.done)).toBe(true);
        expect(works.every((w) => w.ended)).toBe(true);
        if (thrown.size === 0) {
          expect(outcome.ok).toBe(true);
          return;
        }
        expect(outcome.ok).toBe(false);
        const reported = (outcome as { error: TaskGroupError }).error.errors;
        expect(reported.length).toBeGreaterThan(0);
        expect(reported.length).toBeLessThanOrEqual(thrown.size);
        expect(new Set(reported).size).toBe(reported.length);
        for (const error of reported) expect(thrown.has(error)).toBe(true);
        // A failed child counts as a failure exactly when it was reported.
        const failedTasks = tasks.filter((t) => !t.cancelled && t.exception() !== undefined);
        expect(failedTasks.map((t) => t.exception())).toEqual(expect.arrayContaining(reported));
        expect(failedTasks).toHaveLength(reported.length);
      }),
      { numRuns: 40 },
    );
  });

  it('reports no failures and rejects with the caller’s reason when only the caller cancelled', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 0, max: 5 }),
        async (n, abortAfter) => {
          const controller = new AbortController();
          const reason = new Error('caller');
          const run = taskGroup(
            (group) => {
              for (let i = 0; i < n; i++) group.spawn((signal) => sleep(1_000, undefined, { signal }));
            },
            { signal: controller.signal },
          );
          await sleep(abortAfter);
          controller.abort(reason);
          await expect(run).rejects.toBe(reason);
        },
      ),
      { numRuns: 20 },
    );
  });
});
