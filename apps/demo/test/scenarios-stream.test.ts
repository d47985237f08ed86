import { describe, expect, it } from 'vitest';
import blockingVsStreaming from '../src/scenarios/stream/blocking-vs-streaming.js';
import chatCli from '../src/scenarios/stream/chat-cli.js';
import liveWords from '../src/scenarios/stream/live-words.js';
import syncGeneratorInAsync from '../src/scenarios/stream/sync-generator-in-async.js';
import { runScenario } from './scenarios-harness.js';

describe('stream/live-words', () => {
  it('delivers the first word long before the last, each word as it is produced', async () => {
    const outcome = await runScenario(liveWords);
    const { words, arrivals, firstMs, lastMs, stepMs } = outcome.data;
    expect(words.join('')).toBe('Node streams this answer word by word.');
    expect(firstMs).toBeLessThan(lastMs * 0.5);
    expect(lastMs).toBeGreaterThanOrEqual(stepMs * words.length * 0.9);
    // Arrivals are spread out: no two thirds of the words arrived in one burst at the end.
    expect(arrivals[Math.floor(words.length / 2)]).toBeLessThan(lastMs * 0.8);
    expect(outcome.ok).toBe(true);
  });
});

describe('stream/blocking-vs-streaming', () => {
  it('gets the first chunk far sooner by streaming than by collecting with runSync', async () => {
    const outcome = await runScenario(blockingVsStreaming);
    expect(outcome.data.same).toBe(true);
    expect(outcome.data.streamingFirstMs).toBeLessThan(outcome.data.blockingFirstMs * 0.5);
    expect(outcome.data.blockingFirstMs).toBeGreaterThanOrEqual(outcome.data.stepMs * 7 * 0.9);
    expect(outcome.ok).toBe(true);
  });
});

describe('stream/sync-generator-in-async', () => {
  it('consumes a sync generator with for...of and with for await, without a TypeError', async () => {
    const outcome = await runScenario(syncGeneratorInAsync);
    expect(outcome.data.withForOf).toEqual(['[start]', '[working]', '[done]']);
    expect(outcome.data.withForAwait).toEqual(['[start]', '[working]', '[done]']);
    expect(outcome.data.errorName).toBeUndefined();
    expect(outcome.ok).toBe(true);
  });
});

describe('stream/chat-cli', () => {
  it('puts text on screen after the first chunk when streaming, only at the end when blocking', async () => {
    // At 0.2 (60 ms per chunk) rather than the usual 0.05: the stream's fixed start-up cost in the bridge
    // worker (tens of ms on a loaded machine) must stay small beside the chunks' own delays for the
    // comparison to mean what the document means.
    const outcome = await runScenario(chatCli, { scale: 0.2 });
    expect(outcome.data.same).toBe(true);
    expect(outcome.data.writes).toBe(8); // seven words and the final newline
    expect(outcome.data.streamedFirstMs).toBeLessThan(outcome.data.blockingFirstMs * 0.5);
    expect(outcome.ok).toBe(true);
  });
});
