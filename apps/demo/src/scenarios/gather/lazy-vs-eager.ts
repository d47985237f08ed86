import { setTimeout as delay } from 'node:timers/promises';
import { gather } from '@x/gather';
import { defineScenario } from '../../tour/scenario.js';
import { asyncioArticle, section } from '../shared/sources.js';
import { seconds, stopwatch } from '../shared/time.js';

export default defineScenario({
  id: 'gather/lazy-vs-eager',
  title: 'Give gather functions, not promises: only work it started can be cancelled',
  source: section(asyncioArticle, 'Coroutines and the event loop'),
  expected:
    'A coroutine runs only when awaited or scheduled, so whoever runs it can also stop it. In JavaScript a ' +
    'promise is already running: when a sibling fails, gather aborts the work it started from a function ' +
    '(signal) => ..., while a promise passed in runs on to its end.',
  async run(ctx) {
    const slowMs = ctx.ms(1000);
    const failAfterMs = ctx.ms(200);
    const elapsed = stopwatch();
    let lazyOutcome = 'running';
    let eagerOutcome = 'running';

    // Eager: the work starts on this line, before gather sees it, and takes no signal.
    const eager = (async () => {
      await delay(slowMs);
      eagerOutcome = `finished at ${seconds(elapsed())}`;
      return 'eager';
    })();
    // Lazy: gather calls it and owns its signal.
    const lazy = async (signal: AbortSignal) => {
      try {
        await delay(slowMs, undefined, { signal });
        lazyOutcome = `finished at ${seconds(elapsed())}`;
      } catch (error) {
        lazyOutcome = `aborted at ${seconds(elapsed())} (${(error as Error).name})`;
        throw error;
      }
      return 'lazy';
    };
    const failing = async (signal: AbortSignal) => {
      await delay(failAfterMs, undefined, { signal });
      throw new Error('order service is down');
    };

    let rejection: Error | undefined;
    try {
      await gather([lazy, eager, failing], { signal: ctx.signal });
    } catch (error) {
      rejection = error as Error;
    }
    const rejectedAtMs = elapsed();
    ctx.log(`gather rejected at ${seconds(rejectedAtMs)} with "${rejection?.message}"`);
    ctx.step('waiting to see which work ran on');
    await eager;
    ctx.log(`lazy operation: ${lazyOutcome}`);
    ctx.log(`eager promise:  ${eagerOutcome}`);

    const lazyAborted = lazyOutcome.startsWith('aborted');
    const eagerFinished = eagerOutcome.startsWith('finished');
    return {
      ok:
        rejection?.message === 'order service is down' &&
        lazyAborted &&
        eagerFinished &&
        rejectedAtMs < slowMs,
      measured: `gather rejected after ${seconds(rejectedAtMs)} with the failure; the lazy operation was ${lazyOutcome}; the eager promise ${eagerOutcome}`,
      data: { rejection: rejection?.message, rejectedAtMs, lazyAborted, eagerFinished, slowMs },
    };
  },
});
