import { setTimeout as delay } from 'node:timers/promises';
import { defineScenario } from '../../tour/scenario.js';
import { asyncioArticle, section } from '../shared/sources.js';
import { seconds, stopwatch } from '../shared/time.js';

/** Yields 0..count-1, waiting `stepMs` before each, like the article's number generator. */
async function* generateNumbers(count: number, stepMs: number, signal: AbortSignal): AsyncGenerator<number> {
  for (let i = 0; i < count; i++) {
    await delay(stepMs, undefined, { signal });
    yield i;
  }
}

export default defineScenario({
  id: 'basics/for-await',
  title: '`async for` is `for await`: numbers arrive one by one from an async generator',
  source: section(asyncioArticle, 'Async context managers (async with / async for)'),
  expected: 'Iterating an async generator that sleeps 0.1 s per item prints 0, 1, 2, 3, 4, one every 0.1 s.',
  async run(ctx) {
    const stepMs = ctx.ms(100);
    const elapsed = stopwatch();
    const received: number[] = [];
    const arrivals: number[] = [];
    for await (const n of generateNumbers(5, stepMs, ctx.signal)) {
      received.push(n);
      arrivals.push(elapsed());
      ctx.log(`${n} at ${seconds(elapsed())}`);
    }
    const gaps = arrivals.map((at, i) => at - (i === 0 ? 0 : (arrivals[i - 1] ?? 0)));
    const minGap = Math.min(...gaps);
    const inOrder = received.join() === '0,1,2,3,4';
    return {
      ok: inOrder && minGap >= stepMs * 0.8,
      measured: `received ${received.join(', ')}; ${gaps.length} arrivals, gaps ${seconds(minGap)}–${seconds(Math.max(...gaps))} (step ${seconds(stepMs)}), total ${seconds(elapsed())}`,
      data: { received, arrivals, stepMs },
    };
  },
});
