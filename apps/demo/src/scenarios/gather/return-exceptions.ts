import { setTimeout as delay } from 'node:timers/promises';
import { gather } from '@x/gather';
import { defineScenario } from '../../tour/scenario.js';
import { asyncCoreArticle, section } from '../shared/sources.js';
import { seconds, stopwatch } from '../shared/time.js';

export default defineScenario({
  id: 'gather/return-exceptions',
  title: 'returnExceptions: one API fails, the others still answer',
  source: section(asyncCoreArticle, 'test_basic.py: gather, error handling'),
  expected:
    'With return_exceptions=True a failing call puts its exception in its place in the results list; the ' +
    'other calls complete and nothing is raised.',
  async run(ctx) {
    const delayMs = ctx.ms(1000);
    const callApi =
      (name: string, fails = false) =>
      async (signal: AbortSignal) => {
        await delay(delayMs, undefined, { signal });
        if (fails) throw new Error(`${name} answered 503`);
        return `data from ${name}`;
      };
    const elapsed = stopwatch();
    const results = await gather([callApi('API1'), callApi('API2', true), callApi('API3')], {
      returnExceptions: true,
      signal: ctx.signal,
    });
    const totalMs = elapsed();
    const described = results.map((result, i) =>
      result instanceof Error ? `task ${i}: error "${result.message}"` : `task ${i}: ${String(result)}`,
    );
    for (const line of described) ctx.log(line);
    const ok =
      results.length === 3 &&
      results[0] === 'data from API1' &&
      results[1] instanceof Error &&
      results[2] === 'data from API3' &&
      totalMs < 2 * delayMs;
    return {
      ok,
      measured: `${described.join('; ')}; all in ${seconds(totalMs)}`,
      data: { results, totalMs, delayMs },
    };
  },
});
