import { setTimeout as delay } from 'node:timers/promises';
import { TaskGroup, taskGroup } from '@x/task';
import { defineScenario } from '../../tour/scenario.js';
import { asyncioArticle, section } from '../shared/sources.js';
import { seconds, stopwatch } from '../shared/time.js';

export default defineScenario({
  id: 'task/task-group',
  title: '`async with` is `await using`: a TaskGroup waits for its children and cancels them on failure',
  source: section(asyncioArticle, 'Async context managers (async with / async for)'),
  expected:
    'Leaving an async with block runs its async clean-up: for a task group, wait for every child. (asyncio ' +
    '3.11 TaskGroup: the first failure cancels the siblings and is raised as an exception group.)',
  async run(ctx) {
    const elapsed = stopwatch();
    const finished: string[] = [];
    const child = (name: string, documentMs: number) => async (signal: AbortSignal) => {
      await delay(ctx.ms(documentMs), undefined, { signal });
      finished.push(name);
    };

    ctx.step('await using a TaskGroup');
    {
      await using group = new TaskGroup();
      group.spawn(child('download', 500), { name: 'download' });
      group.spawn(child('resize', 300), { name: 'resize' });
      group.spawn(child('upload', 700), { name: 'upload' });
      ctx.log(`spawned 3 children at ${seconds(elapsed())}; leaving the block...`);
    }
    const leftBlockMs = elapsed();
    ctx.log(`left the block at ${seconds(leftBlockMs)}, children finished: ${finished.join(', ')}`);

    ctx.step('a group whose child fails');
    const failingStart = stopwatch();
    let siblingOutcome = 'still running';
    let groupError: unknown;
    try {
      await taskGroup(async (group) => {
        group.spawn(async (signal) => {
          try {
            await delay(ctx.ms(2000), undefined, { signal });
            siblingOutcome = 'finished';
          } catch (error) {
            siblingOutcome = `aborted at ${seconds(failingStart())}`;
            throw error;
          }
        });
        group.spawn(async (signal) => {
          await delay(ctx.ms(300), undefined, { signal });
          throw new Error('resize failed: unsupported format');
        });
      });
    } catch (error) {
      groupError = error;
    }
    const failedAfterMs = failingStart();
    const failures =
      groupError instanceof AggregateError ? groupError.errors.map((e) => (e as Error).message) : [];
    ctx.log(`the slow sibling: ${siblingOutcome}`);
    ctx.log(
      `the group rejected after ${seconds(failedAfterMs)} with ${(groupError as Error | undefined)?.name}: [${failures.join('; ')}]`,
    );

    const waitedForAll = finished.length === 3 && leftBlockMs >= 0.9 * ctx.ms(700);
    const ok =
      waitedForAll &&
      groupError instanceof AggregateError &&
      failures.length === 1 &&
      failures[0] === 'resize failed: unsupported format' &&
      siblingOutcome.startsWith('aborted') &&
      failedAfterMs < ctx.ms(2000);
    return {
      ok,
      measured:
        `leaving await using waited for all 3 children (${seconds(leftBlockMs)}); on a child's failure the slow ` +
        `sibling was ${siblingOutcome} and the group rejected with ${(groupError as Error | undefined)?.name} of ${failures.length} failure(s)`,
      data: {
        finished,
        leftBlockMs,
        siblingOutcome,
        failures,
        failedAfterMs,
        groupErrorName: (groupError as Error | undefined)?.name,
      },
    };
  },
});
