import { defineScenario } from '../../tour/scenario.js';
import { asyncioArticle, section } from '../shared/sources.js';

async function greet(name: string, trace: string[]): Promise<string> {
  trace.push('greet: body started');
  await null;
  trace.push('greet: resumed after its first await');
  return `hello, ${name}`;
}

export default defineScenario({
  id: 'basics/eager-async-functions',
  title: 'Calling an async function: Python waits for await, JavaScript starts at once',
  source: section(asyncioArticle, 'Coroutines and the event loop'),
  expected:
    'Calling an async def function only builds a coroutine object and runs nothing until it is awaited. ' +
    'In JavaScript the call returns a Promise and the body has already started; the lazy form is a ' +
    'function (signal) => ... that runs only when called.',
  async run(ctx) {
    const trace: string[] = [];
    const promise = greet('Ada', trace);
    const startedBeforeAwait = trace.includes('greet: body started');
    ctx.log(
      `greet('Ada') returned ${Object.prototype.toString.call(promise)}; trace so far: ${trace.join(', ')}`,
    );
    const value = await promise;
    ctx.log(`await gave ${JSON.stringify(value)}`);

    const lazyTrace: string[] = [];
    const lazy = (_signal: AbortSignal) => greet('Grace', lazyTrace);
    const lazyRanBeforeCall = lazyTrace.length > 0;
    ctx.log(
      `the lazy form (signal) => greet('Grace') has run ${lazyTrace.length} step(s) before anyone calls it`,
    );
    const lazyValue = await lazy(ctx.signal);

    const isPromise = promise instanceof Promise;
    return {
      ok:
        isPromise &&
        startedBeforeAwait &&
        !lazyRanBeforeCall &&
        value === 'hello, Ada' &&
        lazyValue === 'hello, Grace',
      measured:
        `greet() returned a ${isPromise ? 'Promise' : typeof promise} whose body had ${startedBeforeAwait ? 'already' : 'not yet'} ` +
        `started before any await; the lazy (signal) => ... form ran ${lazyRanBeforeCall ? 'early' : 'only when called'}`,
      data: { isPromise, startedBeforeAwait, lazyRanBeforeCall, value },
    };
  },
});
