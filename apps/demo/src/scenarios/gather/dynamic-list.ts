import { gather, map } from '@x/gather';
import { defineScenario } from '../../tour/scenario.js';
import { fetchUser } from '../shared/fake-api.js';
import { asyncCoreArticle, section } from '../shared/sources.js';
import { seconds, stopwatch } from '../shared/time.js';

export default defineScenario({
  id: 'gather/dynamic-list',
  title: 'Gather over a list of ids built at run time, then the same with a concurrency limit',
  source: section(asyncCoreArticle, 'test_basic.py: gather over a dynamic list'),
  expected:
    'gather(*[fetch_user(id) for id in user_ids]) runs every call at once: five 1 s calls take 1 s, not 5 s, ' +
    'and the results keep the order of the ids.',
  async run(ctx) {
    const delayMs = ctx.ms(1000);
    const userIds = [1, 2, 3, 4, 5];

    ctx.step('gather over the list');
    let clock = stopwatch();
    const users = await gather(
      userIds.map((id) => (signal: AbortSignal) => fetchUser(id, { delayMs, signal })),
      { signal: ctx.signal },
    );
    const gatheredMs = clock();
    ctx.log(`gather: ${users.map((user) => user.name).join(', ')} in ${seconds(gatheredMs)}`);

    ctx.step('map with concurrency 2');
    let inFlight = 0;
    let maxInFlight = 0;
    clock = stopwatch();
    const limited = await map(
      userIds,
      async (id, { signal }) => {
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        try {
          return await fetchUser(id, { delayMs, signal });
        } finally {
          inFlight--;
        }
      },
      { concurrency: 2, signal: ctx.signal },
    );
    const limitedMs = clock();
    ctx.log(
      `map, concurrency 2: ${limited.length} users in ${seconds(limitedMs)}, at most ${maxInFlight} at once`,
    );

    const inOrder =
      users.map((user) => user.id).join() === '1,2,3,4,5' &&
      limited.map((user) => user.id).join() === '1,2,3,4,5';
    const ok =
      inOrder &&
      gatheredMs >= 0.9 * delayMs &&
      gatheredMs < 0.5 * userIds.length * delayMs &&
      maxInFlight === 2 &&
      limitedMs >= 2.7 * delayMs;
    return {
      ok,
      measured: `5 calls gathered in ${seconds(gatheredMs)} (one call: ${seconds(delayMs)}), in id order; with concurrency 2: ${seconds(limitedMs)}, at most ${maxInFlight} at once`,
      data: { delayMs, gatheredMs, limitedMs, maxInFlight, inOrder },
    };
  },
});
