import { runSyncStream } from '@x/sync-bridge';
import { defineScenario } from '../../tour/scenario.js';
import { answerWords, invokeAsyncStream, warmUpBridge } from '../shared/async-functions.js';
import { asyncCoreArticle, section } from '../shared/sources.js';
import { seconds, stopwatch } from '../shared/time.js';

export default defineScenario({
  id: 'stream/live-words',
  title: 'runSyncStream: a sync loop prints an LLM-like answer word by word as it arrives',
  source: section(asyncCoreArticle, 'test_streaming.py: streaming to the front end'),
  expected:
    'run_async_stream turns the async word stream (one word every 0.3 s) into a sync generator: each chunk ' +
    'can be sent on the moment it arrives, so the first word shows after 0.3 s, long before the last.',
  async run(ctx) {
    const stepMs = ctx.ms(300);
    warmUpBridge(ctx.log);
    const clock = stopwatch();
    const words: string[] = [];
    const arrivals: number[] = [];
    // A plain, synchronous for...of: each iteration blocks until the next word exists.
    for (const word of runSyncStream(invokeAsyncStream, answerWords, stepMs)) {
      arrivals.push(clock());
      words.push(word);
      ctx.log(`${seconds(clock()).padStart(8)}  ${words.join('')}`);
    }
    const firstMs = arrivals[0] ?? Number.NaN;
    const lastMs = arrivals.at(-1) ?? Number.NaN;
    const complete = words.join('') === answerWords.join('');
    return {
      ok: complete && firstMs < 0.5 * lastMs && lastMs >= 0.9 * stepMs * answerWords.length,
      measured: `${words.length} words; first after ${seconds(firstMs)}, last after ${seconds(lastMs)}`,
      data: { words, arrivals, firstMs, lastMs, stepMs },
    };
  },
});
