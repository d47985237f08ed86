import { gather } from '@x/gather';
import { defineScenario } from '../../tour/scenario.js';
import { fetchOrder, fetchUser } from '../shared/fake-api.js';
import { asyncioArticle, section } from '../shared/sources.js';
import { seconds, stopwatch } from '../shared/time.js';

export default defineScenario({
  id: 'gather/sequential-vs-gathered',
  title: 'Two independent API calls: one after the other, then gathered',
  source: section(asyncioArticle, 'Why async: the cost of synchronous calls'),
  expected: 'fetchUser and fetchOrder take 2 s each: 4.0 s one after the other, 2.0 s with gather.',
  async run(ctx) {
    const delayMs = ctx.ms(2000);
    const { signal } = ctx;

    ctx.step('sequential: fetchUser, then fetchOrder');
    const sequential = stopwatch();
    const user = await fetchUser(1, { delayMs, signal });
    const order = await fetchOrder(101, { delayMs, signal });
    const sequentialMs = sequential();
    ctx.log(`sequential: ${seconds(sequentialMs)} -> ${JSON.stringify(user)} ${JSON.stringify(order)}`);

    ctx.step('gathered: both at once');
    const gathered = stopwatch();
    // Functions, not promises: gather starts them and could cancel them if one failed.
    const [user2, order2] = await gather(
      [(signal) => fetchUser(1, { delayMs, signal }), (signal) => fetchOrder(101, { delayMs, signal })],
      { signal },
    );
    const gatheredMs = gathered();
    ctx.log(`gathered:   ${seconds(gatheredMs)} -> ${JSON.stringify(user2)} ${JSON.stringify(order2)}`);

    const sameResults = JSON.stringify([user, order]) === JSON.stringify([user2, order2]);
    return {
      ok: sameResults && gatheredMs < 0.75 * sequentialMs && gatheredMs >= 0.9 * delayMs,
      measured: `sequential ${seconds(sequentialMs)}, gathered ${seconds(gatheredMs)} (${(sequentialMs / gatheredMs).toFixed(1)}× faster, same results)`,
      data: { delayMs, sequentialMs, gatheredMs, sameResults },
    };
  },
});
