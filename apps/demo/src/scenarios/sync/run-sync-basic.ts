import { runSync } from '@x/sync-bridge';
import { defineScenario } from '../../tour/scenario.js';
import { invokeAsync, moduleUrl, warmUpBridge } from '../shared/async-functions.js';
import { asyncCoreArticle, section } from '../shared/sources.js';
import { seconds, stopwatch } from '../shared/time.js';

export default defineScenario({
  id: 'sync/run-sync-basic',
  title: 'runSync from sync code: one call, two awaits in a row, three gathered',
  source: section(asyncCoreArticle, 'test_basic.py'),
  expected:
    'run_async(lambda: invoke_async("hello")) returns the result (1 s); two awaits in a row inside take 2 s; ' +
    'three calls gathered inside take 1 s, the time of the slowest.',
  async run(ctx) {
    const unitMs = ctx.ms(1000);

    warmUpBridge(ctx.log);

    ctx.step('one call');
    let clock = stopwatch();
    const single = runSync(invokeAsync, 'hello', unitMs);
    const singleMs = clock();
    ctx.log(`runSync(invokeAsync, 'hello') -> "${single}" in ${seconds(singleMs)}`);

    ctx.step('two awaits in a row');
    clock = stopwatch();
    const sequential = runSync(async (delayMs: number) => {
      const first = await new Promise<string>((resolve) => setTimeout(resolve, delayMs, 'processed: step 1'));
      const second = await new Promise<string>((resolve) =>
        setTimeout(resolve, delayMs, 'processed: step 2'),
      );
      return `${first} | ${second}`;
    }, unitMs);
    const sequentialMs = clock();
    ctx.log(`two in a row -> "${sequential}" in ${seconds(sequentialMs)}`);

    ctx.step('three gathered');
    const gatherUrl = moduleUrl('@x/gather');
    // Load @x/gather in the worker first, so the timing below is the calls' and not the module's.
    runSync(async (url: string) => {
      await import(url);
      return null;
    }, gatherUrl);
    clock = stopwatch();
    const gathered = runSync(
      async (gatherUrl: string, delayMs: number) => {
        const { gather } = (await import(gatherUrl)) as typeof import('@x/gather');
        return gather(
          ['task 1', 'task 2', 'task 3'].map(
            (message) => () =>
              new Promise<string>((resolve) => setTimeout(resolve, delayMs, `processed: ${message}`)),
          ),
        );
      },
      gatherUrl,
      unitMs,
    );
    const gatheredMs = clock();
    ctx.log(`three gathered -> ${JSON.stringify(gathered)} in ${seconds(gatheredMs)}`);

    const ok =
      single === 'processed: hello' &&
      sequential === 'processed: step 1 | processed: step 2' &&
      gathered.join() === 'processed: task 1,processed: task 2,processed: task 3' &&
      singleMs >= 0.9 * unitMs &&
      sequentialMs >= 1.8 * unitMs &&
      gatheredMs >= 0.9 * unitMs &&
      gatheredMs < 0.7 * 3 * unitMs;
    return {
      ok,
      measured: `one call ${seconds(singleMs)}, two in a row ${seconds(sequentialMs)}, three gathered ${seconds(gatheredMs)}`,
      data: { unitMs, singleMs, sequentialMs, gatheredMs, single, sequential, gathered },
    };
  },
});
