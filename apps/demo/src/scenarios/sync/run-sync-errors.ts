import { runSync } from '@x/sync-bridge';
import { defineScenario } from '../../tour/scenario.js';
import { invokeAsync } from '../shared/async-functions.js';
import { asyncCoreArticle, section } from '../shared/sources.js';

export default defineScenario({
  id: 'sync/run-sync-errors',
  title: 'runSync(null) is a TypeError; calling an async function directly gives a promise, not a result',
  source: section(asyncCoreArticle, 'test_error.py'),
  expected:
    'run_async(None) raises an error saying the function argument is required; calling the async function ' +
    'directly returns a coroutine object instead of its result.',
  async run(ctx) {
    let error: Error | undefined;
    try {
      // A deliberate misuse, so the type checker has to be told to let it through.
      (runSync as (fn: unknown) => unknown)(null);
    } catch (caught) {
      error = caught as Error;
    }
    ctx.log(`runSync(null) threw ${error?.name}: ${error?.message}`);

    const direct = invokeAsync('test message', ctx.ms(1000));
    const isPromise = direct instanceof Promise;
    ctx.log(`invokeAsync('test message') returned ${Object.prototype.toString.call(direct)}, not a string`);
    // In JavaScript it is already running; await it so nothing is left behind.
    const eventual = await direct;

    const ok = error instanceof TypeError && isPromise && typeof eventual === 'string';
    return {
      ok,
      measured: `runSync(null) threw ${error?.name} ("${error?.message}"); invokeAsync() returned a ${
        isPromise ? 'Promise' : typeof direct
      } (already running, unlike a coroutine)`,
      data: { errorName: error?.name, errorMessage: error?.message, isPromise },
    };
  },
});
