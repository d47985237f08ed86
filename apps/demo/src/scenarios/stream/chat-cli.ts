import { createSyncFunction, fromModule, runSyncStream } from '@x/sync-bridge';
import { defineScenario } from '../../tour/scenario.js';
import { answerWords, warmUpBridge } from '../shared/async-functions.js';
import { asyncCoreArticle, section } from '../shared/sources.js';
import { seconds, stopwatch } from '../shared/time.js';

// The async chat client lives in a module, so it can import the `openai` package normally; fromModule
// names one of its exports for the bridge worker, with its type.
const chatClient = new URL('./chat-client.mjs', import.meta.url);
const streamChat = fromModule<
  (prompt: string, words: readonly string[], stepMs: number) => AsyncGenerator<string>
>(chatClient, 'streamChat');
const collectChat = createSyncFunction(
  fromModule<(prompt: string, words: readonly string[], stepMs: number) => Promise<string>>(
    chatClient,
    'collectChat',
  ),
);

/** A synchronous chat command that writes the answer while it streams in (`write` stands in for stdout). */
function chatCommand(prompt: string, stepMs: number, write: (text: string) => void): void {
  for (const text of runSyncStream(streamChat, prompt, answerWords, stepMs)) write(text);
  write('\n');
}

/** The same command as the article's example 5: collect the whole answer, then print it. */
function chatCommandBlocking(prompt: string, stepMs: number, write: (text: string) => void): void {
  write(`${collectChat(prompt, answerWords, stepMs)}\n`);
}

export default defineScenario({
  id: 'stream/chat-cli',
  title: 'A synchronous chat CLI on the openai client: print the answer as it streams, or at the end',
  source: section(asyncCoreArticle, 'Practical examples: example 5, a CLI tool'),
  expected:
    'Example 5 collects the streamed chat answer with run_async and prints it at the end: the user sees ' +
    'nothing until then. Streaming the same answer with run_async_stream shows text after the first chunk.',
  async run(ctx) {
    const stepMs = ctx.ms(300);
    const prompt = 'How does Node stream an answer?';
    warmUpBridge(ctx.log);
    ctx.step('loading the openai client in the bridge worker');
    const loading = stopwatch();
    collectChat('warm-up', [], 0);
    ctx.log(`(the openai client loaded in the worker in ${seconds(loading())})`);
    const writes: { text: string; atMs: number }[] = [];

    ctx.step('streaming chat command');
    let clock = stopwatch();
    chatCommand(prompt, stepMs, (text) => {
      writes.push({ text, atMs: clock() });
      if (text.trim()) ctx.log(`${seconds(clock()).padStart(8)}  ${writes.map((w) => w.text).join('')}`);
    });
    const streamedFirstMs = writes[0]?.atMs ?? Number.NaN;
    const streamedText = writes.map((w) => w.text).join('');

    ctx.step('blocking chat command');
    let blockingFirstMs = Number.NaN;
    let blockingText = '';
    clock = stopwatch();
    chatCommandBlocking(prompt, stepMs, (text) => {
      blockingFirstMs = clock();
      blockingText = text;
    });
    ctx.log(
      `blocking version: the screen stayed empty for ${seconds(blockingFirstMs)}, then: ${blockingText.trim()}`,
    );

    const same = streamedText === blockingText && blockingText.trim() === answerWords.join('');
    return {
      ok: same && streamedFirstMs < 0.5 * blockingFirstMs,
      measured: `first text on screen after ${seconds(streamedFirstMs)} streaming vs ${seconds(blockingFirstMs)} blocking; same answer: ${same}`,
      data: { streamedFirstMs, blockingFirstMs, same, writes: writes.length },
    };
  },
});
