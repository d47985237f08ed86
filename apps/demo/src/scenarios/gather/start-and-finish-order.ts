import { setTimeout as delay } from 'node:timers/promises';
import { gather } from '@x/gather';
import { defineScenario } from '../../tour/scenario.js';
import { asyncioArticle, section } from '../shared/sources.js';
import { seconds, stopwatch } from '../shared/time.js';

export default defineScenario({
  id: 'gather/start-and-finish-order',
  title: 'Tasks A (1.0 s), B (2.0 s), C (0.5 s) gathered: finish order vs result order',
  source: section(asyncioArticle, 'Tasks and running in parallel'),
  expected:
    "The article's printed output shows the tasks starting in the order C, B, A. That is not what asyncio " +
    'does: gather wraps each coroutine in a task in the order it was given, and the event loop runs ready ' +
    'tasks first in, first out, so they start A, B, C (our gather likewise calls its functions in order). ' +
    'All three then run at once and finish C (0.5 s), A (1.0 s), B (2.0 s); gather still returns the ' +
    'results in input order A, B, C, after 2.0 s in total.',
  async run(ctx) {
    const elapsed = stopwatch();
    const started: string[] = [];
    const finished: string[] = [];
    const task = (name: string, documentMs: number) => async (signal: AbortSignal) => {
      started.push(name);
      ctx.log(`${name} started at ${seconds(elapsed())}`);
      await delay(ctx.ms(documentMs), undefined, { signal });
      finished.push(name);
      ctx.log(`${name} finished at ${seconds(elapsed())}`);
      return `result of ${name}`;
    };

    const results = await gather([task('A', 1000), task('B', 2000), task('C', 500)], { signal: ctx.signal });
    const totalMs = elapsed();
    ctx.log(`results: ${JSON.stringify(results)}`);

    const longest = ctx.ms(2000);
    const sum = ctx.ms(1000) + ctx.ms(2000) + ctx.ms(500);
    const ok =
      started.join() === 'A,B,C' &&
      finished.join() === 'C,A,B' &&
      results.join() === 'result of A,result of B,result of C' &&
      totalMs >= 0.9 * longest &&
      totalMs < 0.75 * sum;
    return {
      ok,
      measured: `started ${started.join(', ')}; finished ${finished.join(', ')}; results ${results
        .map((result) => result.slice(-1))
        .join(', ')}; total ${seconds(totalMs)} (longest ${seconds(longest)}, sum ${seconds(sum)})`,
      data: { started, finished, results, totalMs, longestMs: longest, sumMs: sum },
    };
  },
});
