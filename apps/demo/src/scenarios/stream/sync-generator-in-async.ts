import { defineScenario } from '../../tour/scenario.js';
import { asyncCoreArticle, section } from '../shared/sources.js';

/** Like the article's `invoke_sync_stream`: a plain (synchronous) generator of progress chunks. */
function* progressChunks(): Generator<string> {
  yield '[start]';
  yield '[working]';
  yield '[done]';
}

export default defineScenario({
  id: 'stream/sync-generator-in-async',
  title: 'A sync generator inside async code: for...of works, and so does for await (unlike Python)',
  source: section(asyncCoreArticle, 'test_streaming.py: sync generators in async code'),
  expected:
    'Inside async code a normal generator is consumed with a normal for loop; using async for on it raises ' +
    'TypeError in Python. In JavaScript for await also accepts a sync iterable.',
  async run(ctx) {
    const withForOf: string[] = [];
    for (const chunk of progressChunks()) {
      withForOf.push(chunk);
      ctx.log(`for...of: progress ${chunk}`);
      await null;
    }

    const withForAwait: string[] = [];
    let error: Error | undefined;
    try {
      for await (const chunk of progressChunks()) withForAwait.push(chunk);
    } catch (caught) {
      error = caught as Error;
    }
    ctx.log(
      error
        ? `for await over a sync generator threw ${error.name}`
        : `for await over the sync generator gave ${withForAwait.join(' ')} (each value awaited)`,
    );

    const ok =
      withForOf.join() === '[start],[working],[done]' && !error && withForAwait.join() === withForOf.join();
    return {
      ok,
      measured: `for...of gave ${withForOf.length} chunks; for await gave ${withForAwait.length} chunks and ${
        error ? `threw ${error.name}` : 'no TypeError'
      }`,
      data: { withForOf, withForAwait, errorName: error?.name },
    };
  },
});
