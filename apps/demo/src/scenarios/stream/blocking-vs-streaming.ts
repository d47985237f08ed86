import { runSync, runSyncStream } from '@x/sync-bridge';
import { defineScenario } from '../../tour/scenario.js';
import { answerWords, invokeAsyncStream, warmUpBridge } from '../shared/async-functions.js';
import { asyncCoreArticle, section } from '../shared/sources.js';
import { seconds, stopwatch } from '../shared/time.js';

export default defineScenario({
  id: 'stream/blocking-vs-streaming',
  title: 'Time to the first chunk: runSync collecting everything vs runSyncStream',
  source: section(asyncCoreArticle, 'test_streaming.py: blocking vs streaming'),
  expected:
    'run_async returns only when the whole answer is ready, so the front end waits for all of it; ' +
    'run_async_stream hands over each chunk at once.',
  async run(ctx) {
    const stepMs = ctx.ms(300);
    warmUpBridge(ctx.log);

    ctx.step('blocking: runSync collects the whole answer');
    let clock = stopwatch();
    const collected = runSync(
      async (words: readonly string[], ms: number) => {
        const all: string[] = [];
        for (const word of words) {
          await new Promise((resolve) => setTimeout(resolve, ms));
          all.push(word);
        }
        return all;
      },
      answerWords,
      stepMs,
    );
    const blockingFirstMs = clock();
    ctx.log(
      `runSync: nothing until ${seconds(blockingFirstMs)}, then all ${collected.length} chunks at once`,
    );

    ctx.step('streaming: runSyncStream yields each chunk');
    clock = stopwatch();
    let streamingFirstMs = Number.NaN;
    const streamed: string[] = [];
    for (const word of runSyncStream(invokeAsyncStream, answerWords, stepMs)) {
      if (streamed.length === 0) streamingFirstMs = clock();
      streamed.push(word);
    }
    const streamingLastMs = clock();
    ctx.log(
      `runSyncStream: first chunk at ${seconds(streamingFirstMs)}, last at ${seconds(streamingLastMs)}`,
    );

    const same = collected.join('') === streamed.join('') && streamed.join('') === answerWords.join('');
    return {
      ok: same && streamingFirstMs < 0.5 * blockingFirstMs,
      measured: `first chunk after ${seconds(blockingFirstMs)} blocking vs ${seconds(streamingFirstMs)} streaming (same ${streamed.length} chunks)`,
      data: { blockingFirstMs, streamingFirstMs, streamingLastMs, same, stepMs },
    };
  },
});
