import { setTimeout as delay } from 'node:timers/promises';
import { createTask } from '@x/task';
import { defineScenario } from '../../tour/scenario.js';
import { asyncioArticle, section } from '../shared/sources.js';
import { seconds, stopwatch } from '../shared/time.js';

export default defineScenario({
  id: 'task/create-task',
  title: 'createTask: schedule two tasks, do other work, then await both',
  source: section(asyncioArticle, 'Creating tasks explicitly'),
  expected:
    'create_task schedules A (1.0 s) and B (2.0 s) at once; "scheduled" is printed before either ends, the ' +
    'caller can do other work meanwhile, and awaiting both takes 2.0 s, not 3.0 s.',
  async run(ctx) {
    const elapsed = stopwatch();
    const work = (name: string, documentMs: number) => async (signal: AbortSignal) => {
      ctx.log(`${name} started at ${seconds(elapsed())}`);
      await delay(ctx.ms(documentMs), undefined, { signal });
      ctx.log(`${name} finished at ${seconds(elapsed())}`);
      return `result of ${name}`;
    };

    const taskA = createTask(work('A', 1000), { name: 'A', signal: ctx.signal });
    const taskB = createTask(work('B', 2000), { name: 'B', signal: ctx.signal });
    const scheduledAtMs = elapsed();
    const doneWhenScheduled = taskA.done || taskB.done;
    ctx.log(`tasks scheduled at ${seconds(scheduledAtMs)} (A done: ${taskA.done}, B done: ${taskB.done})`);

    ctx.step('other work while A and B run');
    await delay(ctx.ms(300), undefined, { signal: ctx.signal });
    const otherWorkAtMs = elapsed();
    ctx.log(`other work finished at ${seconds(otherWorkAtMs)}`);

    const resultA = await taskA;
    const resultB = await taskB;
    const totalMs = elapsed();
    ctx.log(`awaited: ${JSON.stringify([resultA, resultB])}; task ${taskB.name} done: ${taskB.done}`);

    const longest = ctx.ms(2000);
    const sum = ctx.ms(1000) + ctx.ms(2000);
    const ok =
      !doneWhenScheduled &&
      resultA === 'result of A' &&
      resultB === 'result of B' &&
      taskA.done &&
      taskB.done &&
      totalMs >= 0.9 * longest &&
      totalMs < 0.85 * sum;
    return {
      ok,
      measured: `"scheduled" at ${seconds(scheduledAtMs)} with neither done; other work done at ${seconds(otherWorkAtMs)}; both awaited after ${seconds(totalMs)} (sum ${seconds(sum)})`,
      data: {
        scheduledAtMs,
        doneWhenScheduled,
        otherWorkAtMs,
        totalMs,
        longestMs: longest,
        sumMs: sum,
        resultA,
        resultB,
      },
    };
  },
});
